package io.scalarhub.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's own behaviour, through real HTTP to a real backend on loopback: the token is checked
 * before routing, scopes per method, request and trace ids on every response, problem+json for what the
 * gateway answers itself.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final Backend backend = new Backend();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		GatewayTestProperties.register(registry, issuer)
			.route("customers", backend.url(), "/v1/customers,/v1/customers/**", "customer-service")
			.route("auth-server", backend.url(), "/oauth2/**,/.well-known/**", "auth-server")
			.route("down", "http://127.0.0.1:" + GatewayTestProperties.freePort(), "/v1/down/**", "down-service")
			.tier("standard", 1000, 1000);
		registry.add("scalarhub.gateway.rate-limit.anonymous.capacity", () -> 1000);
		registry.add("scalarhub.gateway.rate-limit.anonymous.refill-per-second", () -> 1000);
		registry.add("scalarhub.gateway.edge.max-body-size", () -> "1KB");
		registry.add("scalarhub.gateway.edge.cors.allowed-origins", () -> "https://app.example.com");
	}

	@AfterAll
	static void stop() {
		issuer.close();
		backend.server.stop(0);
	}

	@LocalServerPort
	int port;

	WebTestClient client;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
		backend.lastHeaders.clear();
	}

	@Test
	void aValidTokenWithTheScopeIsRoutedWithTokenAndRequestIdRelayed() {
		String token = issuer.token("demo", "customers:read");
		this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("X-Request-Id", "abc-123")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Request-Id", "abc-123")
			.expectHeader()
			.valueMatches("X-Trace-Id", "[0-9a-f]{32}")
			.expectBody()
			.jsonPath("$.path").isEqualTo("/v1/customers/42");
		assertThat(backend.lastHeaders).containsEntry("authorization", "Bearer " + token)
			.containsEntry("x-request-id", "abc-123");
	}

	@Test
	void noTokenIs401ProblemWithIdsBeforeAnythingIsRouted() {
		this.client.get()
			.uri("/v1/customers")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
			.expectHeader()
			.exists("X-Request-Id")
			.expectHeader()
			.valueMatches("X-Trace-Id", "[0-9a-f]{32}")
			.expectBody()
			.jsonPath("$.status").isEqualTo(401);
		assertThat(backend.lastHeaders).isEmpty();
	}

	@Test
	void forgedUnsignedExpiredAndForeignTokensAre401() {
		for (String token : new String[] { issuer.unsignedToken("x", "customers:read"),
				issuer.tokenWithWrongSignature("x", "customers:read"), issuer.expiredToken("x", "customers:read"),
				issuer.tokenFromOtherIssuer("x", "customers:read") }) {
			this.client.get()
				.uri("/v1/customers")
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
				.exchange()
				.expectStatus()
				.isUnauthorized();
		}
		assertThat(backend.lastHeaders).isEmpty();
	}

	@Test
	void writeWithAReadOnlyTokenIs403() {
		this.client.post()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("reader", "customers:read"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(backend.lastHeaders).isEmpty();
	}

	@Test
	void theTokenEndpointIsPublic() {
		this.client.post()
			.uri("/oauth2/token")
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.bodyValue("grant_type=client_credentials")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(backend.lastHeaders).containsKey("x-request-id");
	}

	@Test
	void anUnknownPathIs404Problem() {
		this.client.get()
			.uri("/v1/nothing-here")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void managementPathsAreNotRouted() {
		this.client.get()
			.uri("/actuator/health")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	@Test
	void aDownBackendIs503ProblemWithRetryAfterNotA500() {
		this.client.get()
			.uri("/v1/down/x")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals(HttpHeaders.RETRY_AFTER, "1")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/service-unavailable");
	}

	/** A real HTTP backend that answers every path with its own path and records what the gateway sent. */
	static final class Backend {

		final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

		final HttpServer server;

		Backend() {
			try {
				this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			this.server.createContext("/", (exchange) -> {
				exchange.getRequestHeaders()
					.forEach((name, values) -> this.lastHeaders.put(name.toLowerCase(), values.get(0)));
				exchange.getRequestBody().readAllBytes();
				byte[] body = ("{\"path\":\"" + exchange.getRequestURI().getPath() + "\"}")
					.getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, body.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			});
			this.server.start();
		}

		String url() {
			return "http://127.0.0.1:" + this.server.getAddress().getPort();
		}

	}

}
