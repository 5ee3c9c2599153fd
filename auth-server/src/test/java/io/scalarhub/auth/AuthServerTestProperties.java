package io.scalarhub.auth;

import io.scalarhub.test.TestPostgres;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Properties a test must set before the configuration files are read (so not in application-test.yml):
 * the auth-server runs alone, with no config-server to import from and no Eureka to join.
 */
final class AuthServerTestProperties {

	static final String NO_CONFIG_SERVER = "spring.cloud.config.enabled=false";

	static final String NO_EUREKA = "eureka.client.enabled=false";

	/** The operator's password on the management port (also in application-test.yml). */
	static final String OPERATOR_PASSWORD = "operator-password-for-auth-server-tests";

	private AuthServerTestProperties() {
	}

	/** A database of its own for the signing key set (each test class starts from an empty set). */
	static void database(DynamicPropertyRegistry registry) {
		TestPostgres.Database database = TestPostgres.createDatabase("auth");
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
	}

}
