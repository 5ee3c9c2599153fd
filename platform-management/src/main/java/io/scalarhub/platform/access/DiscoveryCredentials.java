package io.scalarhub.platform.access;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The credentials of the Eureka registry: discovery requires them for every read, registration and
 * deregistration, and every app presents them. They travel in an {@code Authorization} header, never in the
 * registry URL, which Eureka's client writes into its logs.
 *
 * @param username the registry's user name
 * @param password its password, from the environment ({@code SCALARHUB_DISCOVERY_PASSWORD}); none: discovery
 * refuses everyone, and a client sends no credentials
 */
@ConfigurationProperties("scalarhub.discovery")
public record DiscoveryCredentials(@DefaultValue("scalarhub") String username, @Nullable String password) {

	public boolean hasPassword() {
		return this.password != null && !this.password.isEmpty();
	}

}
