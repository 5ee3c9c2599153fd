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
 * Deletes idempotency records past their retention. Safe with several instances: each delete only removes what
 * every instance would. Expired records of every tenant go, so the delete runs in the system scope, which the
 * table's row-level security lets delete records past the retention set here, and read none: the statement is
 * a bare {@code DELETE} whose only condition is that policy (R__idempotency_key.sql explains why no SELECT
 * policy may exist for it). One statement per purge interval; the records it removes are those that expired
 * since the last one.
 */
public class IdempotencyKeyPurger implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyPurger.class);

	private final DatabaseClient db;

	private final TransactionalOperator transactional;

	private final IdempotencyProperties properties;

	private volatile Disposable schedule;

	public IdempotencyKeyPurger(DatabaseClient db, TransactionalOperator transactional, IdempotencyProperties properties) {
		this.db = db;
		this.transactional = transactional;
		this.properties = properties;
	}

	/** Deletes every record older than the retention, of every tenant; returns how many. */
	public Mono<Long> purge() {
		return this.db.sql("SELECT set_config('scalarhub.purge_older_than', :olderThan, true)")
			.bind("olderThan", this.properties.retention().toSeconds() + " seconds")
			.then()
			.then(this.db.sql("DELETE FROM idempotency_key").fetch().rowsUpdated())
			.as(this.transactional::transactional)
			.contextWrite(TenantScope.system());
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
