package io.scalarhub.platform.data;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ValidationDepth;
import io.scalarhub.platform.tenancy.TenantSessionConnections;

import org.springframework.boot.r2dbc.metrics.ConnectionPoolMetrics;

/**
 * The replica's connection pool. Deliberately not a {@code ConnectionFactory} bean: it must not be injected
 * where the primary is meant, nor counted in the app's database health (a replica is an optimisation; its
 * loss must not make the app unready).
 */
public final class ReadReplica implements AutoCloseable {

	private final ConnectionPool pool;

	private final ConnectionFactory scoped;

	ReadReplica(ReadReplicaProperties properties, MeterRegistry meterRegistry) {
		ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions.parse(properties.url()).mutate();
		if (properties.username() != null) {
			options.option(ConnectionFactoryOptions.USER, properties.username());
		}
		if (properties.password() != null) {
			options.option(ConnectionFactoryOptions.PASSWORD, properties.password());
		}
		ConnectionFactory replica = ConnectionFactories.get(options.build());
		// the URL may ask for a pool itself (r2dbc:pool:…, with its sizes); the replica is pooled either way
		this.pool = (replica instanceof ConnectionPool given) ? given
				: new ConnectionPool(ConnectionPoolConfiguration.builder(replica)
					.name("replica")
					// a stopped replica closes its sockets: never hand out a connection it closed
					.validationDepth(ValidationDepth.LOCAL)
					.build());
		new ConnectionPoolMetrics(this.pool, "replica", List.of()).bindTo(meterRegistry);
		this.scoped = TenantSessionConnections.of(this.pool);
	}

	/** The replica's connections for the app's reads, scoped to the work's tenant like the primary's. */
	public ConnectionFactory connectionFactory() {
		return this.scoped;
	}

	/** The pool itself, for the replica's health and lag probes: they read no table, and need no tenant. */
	public ConnectionPool pool() {
		return this.pool;
	}

	@Override
	public void close() {
		this.pool.dispose();
	}

}
