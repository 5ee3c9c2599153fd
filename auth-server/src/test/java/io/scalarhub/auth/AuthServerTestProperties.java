package io.scalarhub.auth;

/**
 * Properties a test must set before the configuration files are read (so not in application-test.yml):
 * the auth-server runs alone, with no config-server to import from and no Eureka to join.
 */
final class AuthServerTestProperties {

	static final String NO_CONFIG_SERVER = "spring.cloud.config.enabled=false";

	static final String NO_EUREKA = "eureka.client.enabled=false";

	private AuthServerTestProperties() {
	}

}
