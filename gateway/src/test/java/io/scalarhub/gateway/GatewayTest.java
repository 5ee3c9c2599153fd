package io.scalarhub.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
		backend.lastValues.clear();
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

	/**
	 * The service gets the id the client gets back, exactly once: the gateway's own when the client sent none, and
	 * in place of one the gateway refused.
	 */
	@Test
	void theRequestIdTheClientGetsIsTheOneTheServiceGets() {
		String token = issuer.token("demo", "customers:read");
		for (String sent : new String[] { null, "bad id\twith spaces", "x".repeat(200) }) {
			WebTestClient.RequestHeadersSpec<?> request = this.client.get()
				.uri("/v1/customers/42")
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
			if (sent != null) {
				request = request.header("X-Request-Id", sent);
			}
			String returned = request.exchange()
				.expectStatus()
				.isOk()
				.returnResult(String.class)
				.getResponseHeaders()
				.getFirst("X-Request-Id");
			assertThat(returned).as("sent %s", sent).matches("[0-9a-f-]{36}");
			assertThat(backend.lastValues.get("x-request-id")).as("sent %s", sent).containsExactly(returned);
		}
	}

	/**
	 * The tenant header is how platform services name a tenant to each other; from outside it never reaches a
	 * service, whoever sends it (an API client's own tenant is in its token).
	 */
	@Test
	void aTenantHeaderFromOutsideIsNeverForwarded() {
		String token = issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "demo", "customers:read");
		this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(backend.lastHeaders).containsEntry("authorization", "Bearer " + token)
			.doesNotContainKey("x-scalarhub-tenant");
	}

	/**
	 * A trace starts at the gateway: a client that sends trace context (sampled, with an id of its choosing, and
	 * baggage) does not choose the trace, and its headers do not reach the service; the gateway's own context
	 * does.
	 */
	@Test
	void aClientsTraceContextIsNeitherContinuedNorForwarded() {
		String clientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		String traceId = this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.header("traceparent", "00-" + clientTraceId + "-00f067aa0ba902b7-01")
			.header("tracestate", "vendor=chosen")
			.header("baggage", "tenant=someone-else")
			.header("b3", clientTraceId + "-00f067aa0ba902b7-1")
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("X-Trace-Id");
		assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo(clientTraceId);
		assertThat(backend.lastHeaders.get("traceparent")).startsWith("00-" + traceId + "-");
		assertThat(backend.lastHeaders).doesNotContainKeys("tracestate", "baggage", "b3");
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
				issuer.tokenFromOtherIssuer("x", "customers:read"), issuer.tokenForAnotherAudience("x", "customers:read"),
				issuer.tokenWithoutAudience("x", "customers:read") }) {
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

	@Test
	void anOversizeBodyIs413ProblemAndNeverReachesTheService() {
		this.client.post()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:write"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"" + "x".repeat(2048) + "\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/payload-too-large");
		assertThat(backend.lastHeaders).isEmpty();
	}

	@Test
	void anOversizeChunkedBodyWithoutContentLengthIs413Too() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/v1/customers"))
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:write"))
			.header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
			// an input stream of unknown length: sent chunked, no Content-Length to trust
			.POST(HttpRequest.BodyPublishers
				.ofInputStream(() -> new ByteArrayInputStream(("[" + "1,".repeat(4000) + "1]").getBytes())))
			.build();
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.headers().firstValue(HttpHeaders.CONTENT_TYPE)).hasValue("application/problem+json");
	}

	@Test
	void oversizeRequestHeadersAreRefused() {
		this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.header("X-Padding", "p".repeat(20 * 1024))
			.exchange()
			.expectStatus()
			.isEqualTo(431);
		assertThat(backend.lastHeaders).isEmpty();
	}

	/**
	 * The gateway's header list replaces SCG's hop-by-hop list rather than adding to it: the hop-by-hop headers
	 * a client sends still stop at the gateway.
	 */
	@Test
	void hopByHopHeadersStopAtTheGateway() {
		this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.header(HttpHeaders.PROXY_AUTHORIZATION, "Basic c29tZW9uZTpzZWNyZXQ=")
			.header(HttpHeaders.TE, "trailers")
			.header("X-Application-Context", "someone-else:8080")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(backend.lastHeaders).containsKey("authorization")
			.doesNotContainKeys("proxy-authorization", "te", "x-application-context");
	}

	@Test
	void responsesCarrySecurityHeadersOnceAndNothingAboutTheServiceBehind() {
		HttpHeaders headers = this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(byte[].class)
			.getResponseHeaders();
		assertThat(headers.containsHeader("Server")).isFalse();
		assertThat(headers.containsHeader("X-Powered-By")).isFalse();
		assertThat(headers.containsHeader("X-AspNet-Version")).isFalse();
		assertThat(headers.containsHeader("Via")).isFalse();
		assertThat(headers.get("X-Content-Type-Options")).containsExactly("nosniff");
		assertThat(headers.get("X-Frame-Options")).hasSize(1);
		assertThat(headers.get("Strict-Transport-Security")).hasSize(1);
		assertThat(headers.toString()).doesNotContain("internal").doesNotContain("127.0.0.1");
	}

	@Test
	void dotDotAndEncodedTricksNeverReachAManagementEndpoint() throws Exception {
		String token = issuer.token("demo", "customers:read");
		HttpClient http = HttpClient.newHttpClient();
		{
			for (String path : new String[] { "/v1/customers/../../actuator/health",
					"/v1/customers/%2e%2e/%2e%2e/actuator/health", "/v1/customers/..%2f..%2factuator/health",
					"/v1/customers/%2E%2E%2F%2E%2E%2Factuator%2Fhealth", "//actuator/health",
					"/v1/customers/;/../../actuator/health", "/actuator/prometheus", "/v1/customers/%00",
					"/v1/customers/a%00b", "/v1/customers/%5c..%5cactuator" }) {
				HttpResponse<String> response = http.send(
						HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
							.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
							.build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).as(path).isIn(400, 404);
				assertThat(response.body()).as(path).doesNotContain("\"UP\"").doesNotContain("jvm_");
				// refused like every other error: a problem, with the request's id
				assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
				assertThat(response.headers().firstValue("X-Request-Id")).as(path).isPresent();
				String routed = backend.lastHeaders.getOrDefault(":path", "");
				assertThat(routed).doesNotContain("actuator");
			}
		}
	}

	@Test
	void aBrowserPreflightFromAnAllowedOriginIsAnsweredWithoutAToken() {
		this.client.options()
			.uri("/v1/customers")
			.header(HttpHeaders.ORIGIN, "https://app.example.com")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type,idempotency-key")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://app.example.com");
		this.client.get()
			.uri("/v1/customers/42")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("demo", "customers:read"))
			.header(HttpHeaders.ORIGIN, "https://app.example.com")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS,
					(exposed) -> assertThat(exposed).contains("RateLimit-Remaining"));
		backend.lastHeaders.clear();
		this.client.options()
			.uri("/v1/customers")
			.header(HttpHeaders.ORIGIN, "https://evil.example.com")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
			.exchange()
			.expectStatus()
			.isForbidden();
		assertThat(backend.lastHeaders).isEmpty();
	}

	/** A real HTTP backend that answers every path with its own path and records what the gateway sent. */
	static final class Backend {

		final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

		/** Every value of each header, where a test cares how many there were. */
		final Map<String, List<String>> lastValues = new ConcurrentHashMap<>();

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
					.forEach((name, values) -> {
						this.lastHeaders.put(name.toLowerCase(), values.get(0));
						this.lastValues.put(name.toLowerCase(), List.copyOf(values));
					});
				this.lastHeaders.put(":path", exchange.getRequestURI().getRawPath());
				exchange.getRequestBody().readAllBytes();
				byte[] body = ("{\"path\":\"" + exchange.getRequestURI().getPath() + "\"}")
					.getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				// what a careless service might tell the world about itself
				exchange.getResponseHeaders().set("Server", "customer-service-7f9c.internal/1.2");
				exchange.getResponseHeaders().set("X-Powered-By", "Reactor Netty");
				exchange.getResponseHeaders().set("X-AspNet-Version", "4.0.30319");
				exchange.getResponseHeaders().set("Via", "1.1 sidecar-7f9c.internal");
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
