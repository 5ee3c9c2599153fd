package io.scalarhub.platform.idempotency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.r2dbc.postgresql.codec.Json;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.scalarhub.platform.data.ReadReplicaAutoConfiguration;
import io.scalarhub.platform.tenancy.TenancyAutoConfiguration;

/**
 * Idempotency keys for the apps with a PostgreSQL database: the executor, the purge job, and the
 * platform's own migration location ({@code classpath:db/platform}) added to Flyway's.
 */
@AutoConfiguration(after = { ReadReplicaAutoConfiguration.class, TenancyAutoConfiguration.class, DataR2dbcAutoConfiguration.class,
		R2dbcTransactionManagerAutoConfiguration.class })
@ConditionalOnClass({ DatabaseClient.class, Json.class })
@ConditionalOnBean({ DatabaseClient.class, ReactiveTransactionManager.class })
@EnableConfigurationProperties(IdempotencyProperties.class)
public class IdempotencyAutoConfiguration {

	static final String PLATFORM_MIGRATIONS = "classpath:db/platform";

	@Bean
	IdempotentExecutor idempotentExecutor(DatabaseClient db, ReactiveTransactionManager transactionManager,
			JsonMapper jsonMapper, IdempotencyProperties properties) {
		return new IdempotentExecutor(db, TransactionalOperator.create(transactionManager), jsonMapper, properties);
	}

	@Bean
	IdempotencyKeyPurger idempotencyKeyPurger(DatabaseClient db, ReactiveTransactionManager transactionManager,
			IdempotencyProperties properties) {
		return new IdempotencyKeyPurger(db, TransactionalOperator.create(transactionManager), properties);
	}

	@Bean
	FlywayConfigurationCustomizer platformMigrations() {
		return (configuration) -> {
			List<String> locations = new ArrayList<>(
					Arrays.stream(configuration.getLocations()).map(Object::toString).toList());
			if (!locations.contains(PLATFORM_MIGRATIONS)) {
				locations.add(PLATFORM_MIGRATIONS);
			}
			configuration.locations(locations.toArray(String[]::new));
		};
	}

}
