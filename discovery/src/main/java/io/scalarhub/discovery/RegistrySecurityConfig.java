package io.scalarhub.discovery;

import io.scalarhub.platform.access.BasicCredentials;
import io.scalarhub.platform.access.DiscoveryCredentials;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The registry answers only apps that present {@link DiscoveryCredentials}: reads, registrations, heartbeats,
 * deregistrations and the dashboard alike. Anyone else could otherwise list every instance, remove them, or
 * register an impostor under a service's name.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DiscoveryCredentials.class)
class RegistrySecurityConfig {

	@Bean
	SecurityFilterChain registrySecurityFilterChain(HttpSecurity http, DiscoveryCredentials credentials) throws Exception {
		return BasicCredentials.everyRequest(http, credentials.username(), credentials.password());
	}

}
