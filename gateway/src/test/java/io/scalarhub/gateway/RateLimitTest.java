package io.scalarhub.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.StubService;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-client, per-tier rate limits against the real Redis: the IETF headers on every response, a 429
 * problem with Retry-After past the burst, no effect on another client, the token endpoint limited per
 * address, and limits changed by a configuration refresh without a restart. The limits come from a file
 * loaded as config-server's would be, so that a refresh re-reads it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RateLimitTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final StubService backend = new StubService()
		.on("GET", "/v1/customers.*", (request) -> StubService.Response.ok("{}"))
		.on("POST", "/oauth2/token", (request) -> StubService.Response.ok("{}"));

	static final Path limits;

	static {
		try {
			limits = Files.createTempDirectory("gateway-limits").resolve("application.yml");
			writeLimits("");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		// stands in for config-server: an extra config location that a refresh reads again
		System.setProperty("spring.config.additional-location", "optional:file:" + limits.getParent() + "/");
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		GatewayTestProperties.register(registry, issuer)
			.route("customers", backend.url(), "/v1/customers,/v1/customers/**", "customer-service")
			.route("auth-server", backend.url(), "/oauth2/**", "auth-server");
		registry.add("management.endpoints.web.exposure.include", () -> "health,prometheus,refresh");
	}

	static void writeLimits(String extraTiers) throws IOException {
		Files.writeString(limits, """
				scalarhub:
				  gateway:
				    rate-limit:
				      tenant-tags:
				        %s: tenant-a
				      default-tier: free
				      anonymous: { capacity: 3, refill-per-second: 0.1 }
				      tiers:
				        free: { capacity: 5, refill-per-second: 0.1 }
				        enterprise: { capacity: 1000, refill-per-second: 100 }
				""".formatted(TestJwtIssuer.TENANT_A) + extraTiers);
	}

	@AfterAll
	static void stop() {
		System.clearProperty("spring.config.additional-location");
		issuer.close();
		backend.close();
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	MeterRegistry meters;

	WebTestClient client;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
	}

	@Test
	void aFreeClientGetsItsBurstWithDecreasingHeadersThenA429ProblemWithRetryAfter() {
		String token = issuer.tokenWithTier("free-" + UUID.randomUUID(), "free", "customers:read");
		List<Long> remaining = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			EntityExchangeResult<byte[]> result = get(token).expectStatus().isOk().expectBody().returnResult();
			assertThat(result.getResponseHeaders().getFirst("RateLimit-Limit")).isEqualTo("5");
			assertThat(Long.parseLong(result.getResponseHeaders().getFirst("RateLimit-Reset"))).isPositive();
			remaining.add(Long.parseLong(result.getResponseHeaders().getFirst("RateLimit-Remaining")));
		}
		assertThat(remaining).containsExactly(4L, 3L, 2L, 1L, 0L);
		int callsBefore = backend.calls();

		get(token).expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueMatches(HttpHeaders.RETRY_AFTER, "([1-9]|10)")
			.expectHeader()
			.valueEquals("RateLimit-Remaining", "0")
			.expectHeader()
			.valueEquals("RateLimit-Limit", "5")
			.expectHeader()
			.exists("X-Request-Id")
			.expectBody()
			.jsonPath("$.status").isEqualTo(429)
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/rate-limited");
		assertThat(backend.calls()).as("a limited request is not routed").isEqualTo(callsBefore);

		// at the same moment, another client of the same tier has its own bucket
		String other = issuer.tokenWithTier("free-" + UUID.randomUUID(), "free", "customers:read");
		get(other).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Remaining", "4");
		assertThat(this.meters.counter("scalarhub.gateway.rate-limit.decisions", "tier", "free", "tenant", "tenant-a",
				"outcome", "limited", "source", "redis").count()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void decisionsAreTaggedWithTheConfiguredTenantsOnlyAndEveryOtherTenantCountsAsOther() {
		String tenantB = issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "b-" + UUID.randomUUID(), "customers:read");
		String tenantA = issuer.tokenWithTier("a-" + UUID.randomUUID(), "enterprise", "customers:read");
		double otherBefore = decisions("other");
		double aBefore = decisions("tenant-a");
		double noneBefore = decisions("none");

		get(tenantB).expectStatus().isOk();
		get(tenantA).expectStatus().isOk();
		this.client.post().uri("/oauth2/token").exchange();

		assertThat(decisions("other")).isEqualTo(otherBefore + 1);
		assertThat(decisions("tenant-a")).isEqualTo(aBefore + 1);
		assertThat(decisions("none")).isEqualTo(noneBefore + 1);
		assertThat(this.meters.find("scalarhub.gateway.rate-limit.decisions").counters())
			.allSatisfy((counter) -> assertThat(counter.getId().getTag("tenant")).isIn("tenant-a", "other", "none"));
	}

	double decisions(String tenant) {
		return this.meters.find("scalarhub.gateway.rate-limit.decisions")
			.tag("tenant", tenant)
			.counters()
			.stream()
			.mapToDouble(io.micrometer.core.instrument.Counter::count)
			.sum();
	}

	@Test
	void theTierInTheTokenSetsTheLimit() {
		String token = issuer.tokenWithTier("big-" + UUID.randomUUID(), "enterprise", "customers:read");
		get(token).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Limit", "1000");
		String unknownTier = issuer.tokenWithTier("odd-" + UUID.randomUUID(), "platinum", "customers:read");
		get(unknownTier).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Limit", "5");
	}

	@Test
	void theTokenEndpointIsLimitedPerSourceAddress() {
		// every request of this test comes from 127.0.0.1: one bucket of 3
		int allowed = 0;
		int limited = 0;
		for (int i = 0; i < 5; i++) {
			int status = this.client.post()
				.uri("/oauth2/token")
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.bodyValue("grant_type=client_credentials")
				.exchange()
				.expectHeader()
				.valueEquals("RateLimit-Limit", "3")
				.returnResult(byte[].class)
				.getStatus()
				.value();
			if (status == 200) {
				allowed++;
			}
			else {
				assertThat(status).isEqualTo(429);
				limited++;
			}
		}
		assertThat(allowed).isLessThanOrEqualTo(3);
		assertThat(limited).isGreaterThanOrEqualTo(2);
	}

	@Test
	void aChangedLimitAppliesAfterARefreshWithoutARestart() throws IOException {
		String token = issuer.tokenWithTier("gold-" + UUID.randomUUID(), "gold", "customers:read");
		// no "gold" tier yet: the default tier's limit
		get(token).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Limit", "5");

		writeLimits("        gold: { capacity: 40, refill-per-second: 1 }\n");
		// only the operator may refresh
		WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.managementPort)
			.build()
			.post()
			.uri("/actuator/refresh")
			.exchange()
			.expectStatus()
			.isUnauthorized();
		get(token).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Limit", "5");
		WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.managementPort)
			.defaultHeaders((headers) -> headers.setBasicAuth("scalarhub-ops", GatewayTestProperties.OPERATOR_PASSWORD))
			.build()
			.post()
			.uri("/actuator/refresh")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((changed) -> assertThat(changed).contains("scalarhub.gateway.rate-limit.tiers.gold.capacity"));

		get(token).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Limit", "40");
	}

	private WebTestClient.ResponseSpec get(String token) {
		return this.client.get()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange();
	}

}
