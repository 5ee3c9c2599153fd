package io.scalarhub.discovery;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.scalarhub.platform.access.BasicCredentials;
import io.scalarhub.platform.access.DiscoveryCredentials;
import jakarta.ws.rs.client.ClientRequestFilter;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.netflix.eureka.server.ReplicationClientAdditionalFilters;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
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

	/**
	 * A peer is answered like anyone else, so replication presents the same credentials: Eureka replicates with a
	 * client of its own, which the apps' credentialed transport (platform-management) does not cover, and every
	 * registration replicated to a peer was refused (401) without them. In a header, not the peer URLs, which Eureka
	 * logs.
	 */
	@Bean
	ReplicationClientAdditionalFilters credentialedReplication(DiscoveryCredentials credentials) {
		if (!credentials.hasPassword()) {
			return new ReplicationClientAdditionalFilters(List.of());
		}
		String authorization = "Basic " + Base64.getEncoder()
			.encodeToString((credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
		ClientRequestFilter presentCredentials = (request) -> request.getHeaders()
			.putSingle(HttpHeaders.AUTHORIZATION, authorization);
		return new ReplicationClientAdditionalFilters(List.of(presentCredentials));
	}

}
