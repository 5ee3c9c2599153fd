package io.scalarhub.platform.data;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * Sends each transaction to the right server: read-only work (a read-only transaction, or a
 * {@link OneStatementRead}) to the replica when it is usable and has replayed what the caller must see
 * ({@link ConsistencyTokenWebFilter}), everything else to the primary. Services only declare intent
 * ({@code @Transactional(readOnly = true)}, {@code @OneStatementRead}); no code names a pool.
 * A replica connection that cannot be had in time sends that read to the primary and opens the replica's
 * circuit, so a dead replica costs at most one connect timeout, once.
 */
public class ReadWriteRoutingConnectionFactory implements ConnectionFactory {

	private final ConnectionFactory primary;

	private final ConnectionFactory replica;

	private final ReplicaMonitor monitor;

	private final ReadReplicaProperties properties;

	private final Counter readsOnReplica;

	private final Counter readsOnPrimary;

	public ReadWriteRoutingConnectionFactory(ConnectionFactory primary, ConnectionFactory replica,
			ReplicaMonitor monitor, ReadReplicaProperties properties, MeterRegistry meterRegistry) {
		this.primary = primary;
		this.replica = replica;
		this.monitor = monitor;
		this.properties = properties;
		this.readsOnReplica = readCounter(meterRegistry, "replica");
		this.readsOnPrimary = readCounter(meterRegistry, "primary");
	}

	private static Counter readCounter(MeterRegistry registry, String target) {
		return Counter.builder("scalarhub.db.reads")
			.description("Read-only work (transactions and one-statement reads) by the server that served it")
			.tag("target", target)
			.register(registry);
	}

	@Override
	public Publisher<? extends Connection> create() {
		return Mono.deferContextual((context) -> TransactionSynchronizationManager.forCurrentTransaction()
			.map(TransactionSynchronizationManager::isCurrentTransactionReadOnly)
			.onErrorResume(NoTransactionException.class, (none) -> Mono.just(false))
			.flatMap((readOnly) -> readOnly ? forRead(context) : Mono.from(this.primary.create())));
	}

	private Mono<Connection> forRead(ContextView context) {
		return this.monitor.usable().flatMap((usable) -> {
			if (!usable) {
				return onPrimary();
			}
			Lsn mustSee = context.getOrDefault(Lsn.class, null);
			Mono<Boolean> replicaFreshEnough = (mustSee == null) ? Mono.just(true) : this.monitor.hasReplayed(mustSee);
			return replicaFreshEnough.flatMap((fresh) -> fresh ? onReplica() : onPrimary());
		});
	}

	private Mono<Connection> onReplica() {
		return Mono.<Connection>from(this.replica.create())
			.timeout(this.properties.connectTimeout())
			.doOnNext((connection) -> this.readsOnReplica.increment())
			.onErrorResume((error) -> {
				this.monitor.connectionFailed(error);
				return onPrimary();
			});
	}

	private Mono<Connection> onPrimary() {
		return Mono.<Connection>from(this.primary.create()).doOnNext((connection) -> this.readsOnPrimary.increment());
	}

	@Override
	public ConnectionFactoryMetadata getMetadata() {
		return this.primary.getMetadata();
	}

}
