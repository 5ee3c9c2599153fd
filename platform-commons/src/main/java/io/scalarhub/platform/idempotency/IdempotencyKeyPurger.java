package io.scalarhub.platform.idempotency;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.scalarhub.platform.tenancy.TenantScope;

import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Deletes idempotency records past their retention, in bounded batches. Safe with several instances: each
 * delete only removes what every instance would. Expired records of every tenant go, so each batch runs in
 * the system scope, which the table's row-level security policies let delete them.
 */
public class IdempotencyKeyPurger implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyPurger.class);

	private static final int BATCH = 5_000;

	private final DatabaseClient db;

	private final TransactionalOperator transactional;

	private final IdempotencyProperties properties;

	private volatile Disposable schedule;

	public IdempotencyKeyPurger(DatabaseClient db, TransactionalOperator transactional, IdempotencyProperties properties) {
		this.db = db;
		this.transactional = transactional;
		this.properties = properties;
	}

	/** Deletes one batch of expired records; returns how many. */
	public Mono<Long> purgeBatch() {
		return this.db
			.sql("DELETE FROM idempotency_key WHERE ctid IN (SELECT ctid FROM idempotency_key "
					+ "WHERE created_at < now() - make_interval(secs => :retention) LIMIT " + BATCH + ")")
			.bind("retention", (double) this.properties.retention().toSeconds())
			.fetch()
			.rowsUpdated()
			.as(this.transactional::transactional)
			.contextWrite(TenantScope.system());
	}

	/** Everything expired, batch after batch. */
	public Mono<Long> purge() {
		return purgeBatch().expand((deleted) -> (deleted == BATCH) ? purgeBatch() : Mono.empty())
			.reduce(0L, Long::sum);
	}

	@Override
	public void start() {
		this.schedule = Flux.interval(this.properties.purgeInterval(), this.properties.purgeInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> purge().onErrorResume((error) -> {
				log.warn("purging expired idempotency keys failed; next try in {}: {}", this.properties.purgeInterval(),
						error.toString());
				return Mono.empty();
			}), 1)
			.subscribe((deleted) -> {
				if (deleted > 0) {
					log.info("purged {} idempotency keys older than {}", deleted, this.properties.retention());
				}
			});
	}

	@Override
	public void stop() {
		Disposable current = this.schedule;
		if (current != null) {
			current.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		Disposable current = this.schedule;
		return current != null && !current.isDisposed();
	}

}
