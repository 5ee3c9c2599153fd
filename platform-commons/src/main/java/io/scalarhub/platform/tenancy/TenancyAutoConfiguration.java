package io.scalarhub.platform.tenancy;

import io.r2dbc.spi.ConnectionFactory;
import io.scalarhub.platform.data.ReadReplicaAutoConfiguration;
import io.scalarhub.platform.data.ReadWriteRoutingConnectionFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.ReactiveTransactionManager;

/**
 * Tenant-scoped data access for apps with a database and no read replica (with one, {@link ReadReplicaAutoConfiguration}
 * makes the same over its routing connection factory). Statements outside a transaction run under the work's scope
 * ({@link TenantSessionConnections}, over Boot's pool); transactions are scoped by the transaction manager. Boot's
 * plain transaction manager never comes up: it would run transactions with no tenant.
 */
@AutoConfiguration(after = { R2dbcAutoConfiguration.class, ReadReplicaAutoConfiguration.class },
		before = { R2dbcTransactionManagerAutoConfiguration.class, DataR2dbcAutoConfiguration.class })
@ConditionalOnClass({ ConnectionFactory.class, R2dbcTransactionManager.class })
public class TenancyAutoConfiguration {

	/**
	 * The app's connections, over Boot's pool: what the {@code DatabaseClient} and the transaction manager use. Not a
	 * decorator of Boot's: those wrap the driver under the pool, where a connection is made once for whoever takes it.
	 */
	@Bean
	@Primary
	@ConditionalOnBean(ConnectionFactory.class)
	@ConditionalOnMissingBean(ReadWriteRoutingConnectionFactory.class)
	ConnectionFactory tenantSessionConnections(@Qualifier("connectionFactory") ConnectionFactory pool) {
		return TenantSessionConnections.of(pool);
	}

	@Bean
	@ConditionalOnBean(ConnectionFactory.class)
	@ConditionalOnMissingBean(ReactiveTransactionManager.class)
	ReactiveTransactionManager transactionManager(ConnectionFactory connectionFactory) {
		return new TenantScopedTransactionManager(connectionFactory);
	}

}
