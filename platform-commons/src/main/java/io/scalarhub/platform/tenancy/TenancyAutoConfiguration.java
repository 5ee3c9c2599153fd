package io.scalarhub.platform.tenancy;

import io.r2dbc.spi.ConnectionFactory;
import io.scalarhub.platform.data.ReadReplicaAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.ReactiveTransactionManager;

/**
 * Tenant-scoped transactions for apps with a database and no read replica (with one,
 * {@link ReadReplicaAutoConfiguration} makes the same transaction manager over its routing connection
 * factory). Boot's plain transaction manager never comes up: it would run transactions with no tenant.
 */
@AutoConfiguration(after = { R2dbcAutoConfiguration.class, ReadReplicaAutoConfiguration.class },
		before = { R2dbcTransactionManagerAutoConfiguration.class, DataR2dbcAutoConfiguration.class })
@ConditionalOnClass({ ConnectionFactory.class, R2dbcTransactionManager.class })
public class TenancyAutoConfiguration {

	@Bean
	@ConditionalOnBean(ConnectionFactory.class)
	@ConditionalOnMissingBean(ReactiveTransactionManager.class)
	ReactiveTransactionManager transactionManager(ConnectionFactory connectionFactory) {
		return new TenantScopedTransactionManager(connectionFactory);
	}

}
