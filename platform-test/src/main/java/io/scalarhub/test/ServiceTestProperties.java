package io.scalarhub.test;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The properties that point a service under test at its real test database and a real token issuer,
 * standing in for what config-server supplies in a running suite.
 */
public final class ServiceTestProperties {

	private ServiceTestProperties() {
	}

	public static void register(DynamicPropertyRegistry registry, TestPostgres.Database database,
			TestJwtIssuer issuer) {
		registry.add("spring.r2dbc.url", database::r2dbcUrl);
		registry.add("spring.r2dbc.username", database::username);
		registry.add("spring.r2dbc.password", database::password);
		registry.add("spring.flyway.url", database::jdbcUrl);
		registry.add("spring.flyway.user", database::username);
		registry.add("spring.flyway.password", database::password);
		if (database.hasReplica()) {
			// services under test read from the real streaming replica, as they do when deployed
			registry.add("scalarhub.r2dbc.replica.url", database::replicaR2dbcUrl);
			registry.add("scalarhub.r2dbc.replica.username", database::username);
			registry.add("scalarhub.r2dbc.replica.password", database::password);
		}
		registerIssuer(registry, issuer);
	}

	/** Points the service's lb://{@code service} calls at {@code url} (Eureka is off in service tests). */
	public static void registerDownstream(DynamicPropertyRegistry registry, String service, String url) {
		registry.add("spring.cloud.discovery.client.simple.instances." + service + "[0].uri", () -> url);
	}

	public static void registerIssuer(DynamicPropertyRegistry registry, TestJwtIssuer issuer) {
		registry.add("scalarhub.security.issuer", () -> TestJwtIssuer.ISSUER);
		registry.add("scalarhub.security.jwk-set-uri", issuer::jwkSetUri);
		// the service's own identity for its calls to other services: tokens from the test issuer
		registry.add("scalarhub.service-identity.client-id", () -> "service-under-test");
		registry.add("scalarhub.service-identity.client-secret", () -> "test-secret");
		registry.add("scalarhub.service-identity.token-uri", issuer::tokenUri);
		// a service test runs the service alone: no Eureka to join (config import is off for all tests: root pom)
		registry.add("eureka.client.enabled", () -> "false");
		// never collide with a suite running on the default ports
		registry.add("management.server.port", () -> "0");
	}

}
