package io.scalarhub.platform.data;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.platform.tenancy.TenantSessionConnections;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.ReactiveTransactionManager;


/**
 * Read/write routing for apps that configure a read replica ({@code scalarhub.r2dbc.replica.url}): Boot's
 * {@code connectionFactory} stays the primary pool; {@link ReadReplica} pools the replica; the routing factory
 * in front of both is the one everything else (DatabaseClient, the transaction manager) uses.
 */
@AutoConfiguration(after = R2dbcAutoConfiguration.class,
		before = { R2dbcTransactionManagerAutoConfiguration.class, DataR2dbcAutoConfiguration.class })
@ConditionalOnClass({ ConnectionFactory.class, R2dbcTransactionManager.class, ConnectionPool.class })
// absent, blank or "false": no replica (an empty environment variable must not half-configure one)
@ConditionalOnExpression("!'${scalarhub.r2dbc.replica.url:}'.isBlank() and '${scalarhub.r2dbc.replica.url:}' != 'false'")
@EnableConfigurationProperties(ReadReplicaProperties.class)
public class ReadReplicaAutoConfiguration {

	@Bean(destroyMethod = "close")
	ReadReplica readReplica(ReadReplicaProperties properties, MeterRegistry meterRegistry) {
		return new ReadReplica(properties, meterRegistry);
	}

	/**
	 * The primary's pool, under whatever wraps it (the statement observations' proxy, in an app that exports spans):
	 * the probes (4 queries a second) and the writes' consistency tokens run there without a trace of their own each.
	 * Never deeper: the pool itself is {@link Wrapped} too, and what it wraps opens a new PostgreSQL connection (a
	 * forked backend) per use.
	 */
	static ConnectionFactory poolOf(ConnectionFactory primary) {
		ConnectionFactory current = primary;
		while (!(current instanceof ConnectionPool) && current instanceof Wrapped<?> wrapped
				&& wrapped.unwrap() instanceof ConnectionFactory inner) {
			current = inner;
		}
		return (current instanceof ConnectionPool) ? current : primary;
	}

	@Bean
	ReplicaMonitor replicaMonitor(@Qualifier("connectionFactory") ConnectionFactory primary,
			ReadReplica replica, ReadReplicaProperties properties, ObjectProvider<CircuitBreakerRegistry> circuitBreakers, MeterRegistry meterRegistry) {
		// the app's registry when Spring Cloud Circuit Breaker made one: its breakers are all in the metrics
		CircuitBreakerRegistry registry = circuitBreakers.getIfAvailable(() -> {
			CircuitBreakerRegistry own = CircuitBreakerRegistry.ofDefaults();
			TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(own).bindTo(meterRegistry);
			return own;
		});
		ReplicaMonitor monitor = new ReplicaMonitor(poolOf(primary), replica.pool(), properties, registry);
		Gauge.builder("scalarhub.db.replica.lag", monitor, ReplicaMonitor::lagSeconds)
			.description("Replay lag of the read replica behind the primary (NaN while unknown)")
			.baseUnit("seconds")
			.register(meterRegistry);
		FunctionCounter.builder("scalarhub.db.replica.probes", monitor, ReplicaMonitor::probes)
			.description("Measurements of the read replica's health and lag (fast under reads, rare when idle)")
			.register(meterRegistry);
		Gauge.builder("scalarhub.db.replica.lag.bytes", monitor, ReplicaMonitor::lagBytes)
			.description("WAL the read replica has not replayed yet")
			.baseUnit("bytes")
			.register(meterRegistry);
		return monitor;
	}

	@Bean
	@Primary
	ReadWriteRoutingConnectionFactory readWriteRoutingConnectionFactory(
			@Qualifier("connectionFactory") ConnectionFactory primary, ReadReplica replica, ReplicaMonitor monitor, ReadReplicaProperties properties, MeterRegistry meterRegistry) {
		return new ReadWriteRoutingConnectionFactory(TenantSessionConnections.of(primary), replica.connectionFactory(), monitor,
				properties, meterRegistry);
	}

	@Bean
	ReactiveTransactionManager transactionManager(ReadWriteRoutingConnectionFactory connectionFactory) {
		return new PositionReportingTransactionManager(connectionFactory);
	}

	@Bean
	ConsistencyTokenWebFilter consistencyTokenWebFilter(ReplicaMonitor monitor, ReadReplicaProperties properties) {
		return new ConsistencyTokenWebFilter(monitor, properties);
	}

}
