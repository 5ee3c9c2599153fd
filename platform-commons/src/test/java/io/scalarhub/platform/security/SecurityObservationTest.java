package io.scalarhub.platform.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.observation.ObservationPredicate;
import io.scalarhub.platform.PlatformTestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Security builds no observation for a request, accepted or refused (the platform's SecurityObservationAutoConfiguration):
 * every observation that is created is offered to the registry's predicates before it starts, so a predicate asked
 * first sees the name of each one, including those that other predicates would then switch off.
 */
@SpringBootTest(classes = { PlatformTestApplication.class, SecurityObservationTest.Names.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "eureka.client.enabled=false", "management.server.port=0" })
class SecurityObservationTest {

	static final TestTokens tokens = new TestTokens();

	@DynamicPropertySource
	static void issuer(DynamicPropertyRegistry registry) {
		registry.add("scalarhub.security.issuer", () -> TestTokens.ISSUER);
		registry.add("scalarhub.security.jwk-set-uri", tokens::jwkSetUri);
	}

	@AfterAll
	static void close() {
		tokens.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	Set<String> observedNames;

	final HttpClient http = HttpClient.newHttpClient();

	@Test
	void springSecurityObservesNeitherAnAcceptedNorARefusedRequest() throws Exception {
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		assertThat(get("Bearer " + token)).isEqualTo(200);
		assertThat(get("Bearer " + tokens.signWithStrangerKey(
				TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build()))).isEqualTo(401);
		assertThat(get(null)).isEqualTo(401);

		// the recorder works: the server's own observation of the same requests is there
		assertThat(this.observedNames).contains("http.server.requests");
		assertThat(this.observedNames).noneMatch((name) -> name.startsWith("spring.security"));
	}

	int get(String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/secured"));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Names {

		@Bean
		Set<String> observedNames() {
			return ConcurrentHashMap.newKeySet();
		}

		/** Asked before the platform's and Boot's predicates, and never says no. */
		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		ObservationPredicate recordingEveryObservationName(Set<String> observedNames) {
			return (name, context) -> observedNames.add(name) || true;
		}

	}

}
