package io.scalarhub.platform.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an app does with bearer tokens, over real HTTP with real signed tokens. The verified-token cache as an app
 * has it: platform-commons' auto-configuration puts it in front of the JWKS-backed decoder (every service's, and the
 * gateway's, which uses the same auto-configuration), and its hits and misses are meters. The token is read by the
 * platform's converter (any case of the scheme; a malformed token is a 401 {@code invalid_token}, never a 500 or
 * anonymous access), and the firewall refuses a disallowed character in a header the app reads with a 400 problem.
 * Spring Security builds no observation of its own for a request (the platform's SecurityObservationAutoConfiguration).
 */
@SpringBootTest(classes = { PlatformTestApplication.class, BearerTokenAppTest.ObservationNames.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "eureka.client.enabled=false", "management.server.port=0" })
class BearerTokenAppTest {

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
	ReactiveJwtDecoder jwtDecoder;

	@Autowired
	TokenCacheProperties settings;

	@Autowired
	MeterRegistry meters;

	@Autowired
	ServerWebExchangeFirewall firewall;

	@Autowired
	Set<String> observationNames;

	final HttpClient http = HttpClient.newHttpClient();

	@Test
	void theAppsDecoderIsTheCachingOneWithTheDocumentedDefaults() {
		assertThat(this.jwtDecoder).isInstanceOf(CachingReactiveJwtDecoder.class);
		assertThat(this.settings).isEqualTo(new TokenCacheProperties(true, 10_000, Duration.ofMinutes(5)));
	}

	@Test
	void aClientsRepeatedRequestsAreServedFromTheCacheAndBadTokensNeverAre() throws Exception {
		double hits = gets("hit");
		double misses = gets("miss");
		Instant now = Instant.now();
		String token = tokens.sign(TestTokens.claims(now, Duration.ofMinutes(15)).build());

		for (int i = 0; i < 3; i++) {
			assertThat(get(token)).isEqualTo(200);
		}
		assertThat(gets("hit") - hits).isEqualTo(2);
		assertThat(gets("miss") - misses).isEqualTo(1);
		assertThat(tokens.jwksFetches()).isEqualTo(1);

		// the same claims signed by another key, and another API's token: refused on every request, never kept
		String forged = tokens.signWithStrangerKey(TestTokens.claims(now, Duration.ofMinutes(15)).build());
		String otherAudience = tokens
			.sign(TestTokens.claims(now, Duration.ofMinutes(15)).audience("some-other-api").build());
		for (int i = 0; i < 2; i++) {
			assertThat(get(forged)).isEqualTo(401);
			assertThat(get(otherAudience)).isEqualTo(401);
		}
		assertThat(gets("hit") - hits).isEqualTo(2);
		assertThat(gets("miss") - misses).isEqualTo(5);
	}

	/**
	 * The platform's defaults time each request but start no long-task timer for it (or for any other observation):
	 * per-request work for a meter nobody reads (docs/performance.md).
	 */
	@Test
	void aRequestIsTimedWithoutALongTaskTimer() throws Exception {
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		assertThat(get(token)).isEqualTo(200);
		assertThat(this.meters.find("http.server.requests").timer()).as("the request timer").isNotNull();
		assertThat(this.meters.find("http.server.requests.active").longTaskTimer()).as("a long-task timer").isNull();
		assertThat(this.meters.getMeters().stream().filter(io.micrometer.core.instrument.LongTaskTimer.class::isInstance))
			.as("long-task timers of observations")
			.isEmpty();
	}

	/**
	 * Every observation that is created is offered to the registry's predicates before it starts, so the one asked
	 * first ({@link ObservationNames}) sees each name, including those that another predicate then switches off.
	 */
	@Test
	void springSecurityObservesNeitherAnAcceptedNorARefusedRequest() throws Exception {
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		assertThat(get(token)).isEqualTo(200);
		assertThat(get(tokens.signWithStrangerKey(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build())))
			.isEqualTo(401);
		assertThat(send("Basic dXNlcjpwYXNz").statusCode()).isEqualTo(401);

		// the recorder works: the server's own observation of the same requests is there
		assertThat(this.observationNames).contains("http.server.requests");
		assertThat(this.observationNames).noneMatch((name) -> name.startsWith("spring.security"));
	}

	int get(String token) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/secured"))
			.header("Authorization", "Bearer " + token)
			.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	double gets(String result) {
		FunctionCounter counter = this.meters.find("cache.gets")
			.tags("cache", CachingReactiveJwtDecoder.CACHE_NAME, "result", result)
			.functionCounter();
		assertThat(counter).as("cache.gets{result=%s}", result).isNotNull();
		return counter.count();
	}

	@Test
	void theBearerSchemeIsReadInAnyCaseAndAMalformedTokenIsAnInvalidToken() throws Exception {
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		assertThat(send("Bearer " + token).statusCode()).isEqualTo(200);
		assertThat(send("bearer " + token).statusCode()).isEqualTo(200);
		assertThat(send("BEARER " + token).statusCode()).isEqualTo(200);

		for (String malformed : new String[] { "Bearer " + token + " x", "Bearer  " + token, "Bearer a=b",
				"Bearer", "Bearer " + token.replace('.', ',') }) {
			HttpResponse<String> response = send(malformed);
			assertThat(response.statusCode()).as(malformed).isEqualTo(401);
			assertThat(response.headers().firstValue("WWW-Authenticate")).as(malformed)
				.hasValueSatisfying((challenge) -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""));
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		}
		// another scheme is no token at all: the endpoint asks for one
		HttpResponse<String> basic = send("Basic dXNlcjpwYXNz");
		assertThat(basic.statusCode()).isEqualTo(401);
		assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
	}

	@Test
	void aControlCharacterInAHeaderTheAppReadsIsRefusedWithAProblem() throws Exception {
		assertThat(this.firewall).isNotNull();
		// Netty refuses C0 controls in a header itself (a bare 400); a C1 control (NEL) reaches the firewall
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		String response = raw("GET /secured HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
				+ "\u0085\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 400");
		assertThat(response).containsIgnoringCase("Content-Type: application/problem+json");
		// the same request without it is served
		String clean = raw("GET /secured HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
				+ "\r\nConnection: close\r\n\r\n");
		assertThat(clean).startsWith("HTTP/1.1 200");
	}

	HttpResponse<String> send(String authorization) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/secured"))
			.header("Authorization", authorization)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** One request written byte for byte (HttpClient refuses control characters in a header), the answer read. */
	String raw(String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			in.transferTo(answer);
			return answer.toString(StandardCharsets.ISO_8859_1);
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ObservationNames {

		@Bean
		Set<String> observationNames() {
			return ConcurrentHashMap.newKeySet();
		}

		/** Asked before the platform's and Boot's predicates, and never says no. */
		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		ObservationPredicate recordingEveryObservationName(Set<String> observationNames) {
			return (name, context) -> observationNames.add(name) || true;
		}

	}

}
