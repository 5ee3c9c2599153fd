package io.scalarhub.gateway;

import java.time.Duration;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.Polling;
import io.scalarhub.test.StubService;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestRedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis stopped under the gateway (a Redis server of this test's own, killed and started again): requests
 * keep succeeding, each within a tight bound, the limiter says it is degraded (gauge, counter, log line),
 * and limiting resumes by itself once Redis is back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageTest {

	/** What a request may take while Redis is down: the 100 ms Redis timeout plus routing, with slack. */
	static final Duration BOUND = Duration.ofMillis(750);

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestRedisServer redis = new TestRedisServer();

	static final StubService backend = new StubService().on("GET", "/v1/customers.*",
			(request) -> StubService.Response.ok("{}"));

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		GatewayTestProperties.register(registry, issuer)
			.route("customers", backend.url(), "/v1/customers,/v1/customers/**", "customer-service")
			.tier("free", 3, 0.1)
			.tier("enterprise", 10_000, 10_000);
		registry.add("spring.data.redis.port", redis::port);
	}

	@AfterAll
	static void stop() {
		redis.close();
		issuer.close();
		backend.close();
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	MeterRegistry meters;

	@Test
	void withRedisDownRequestsPassFastAndDegradedIsVisibleThenLimitingResumes(CapturedOutput output) {
		WebTestClient client = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
		String token = issuer.tokenWithTier("big-" + UUID.randomUUID(), "enterprise", "customers:read");
		get(client, token).expectStatus().isOk().expectHeader().valueEquals("RateLimit-Remaining", "9999");
		assertThat(degradedGauge()).isZero();

		redis.stop();
		for (int i = 0; i < 30; i++) {
			long started = System.nanoTime();
			get(client, token).expectStatus().isOk().expectHeader().exists("RateLimit-Limit");
			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("request %d with Redis down", i)
				.isLessThan(BOUND);
		}
		assertThat(degradedGauge()).isEqualTo(1.0);
		assertThat(this.meters
			.counter("scalarhub.gateway.rate-limit.decisions", "tier", "enterprise", "tenant", "other", "outcome",
					"allowed", "source", "fallback")
			.count()).isEqualTo(30);
		assertThat(output).contains("Rate limiter degraded");
		// Redis is down and health says so, but the gateway can still serve: it stays ready (in the load
		// balancer's rotation) and alive
		WebTestClient management = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.managementPort)
			.build();
		management.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503);
		management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
		management.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		// fail open: even a client past its burst is let through while nothing can count it centrally
		String small = issuer.tokenWithTier("small-" + UUID.randomUUID(), "free", "customers:read");
		for (int i = 0; i < 5; i++) {
			get(client, small).expectStatus().isOk();
		}

		redis.start();
		Polling.until(Duration.ofSeconds(30), "the limiter asking Redis again",
				() -> get(client, token).returnResult(byte[].class).getStatus().value() == 200 && degradedGauge() == 0);
		assertThat(output).contains("Rate limiter recovered");
		String fresh = issuer.tokenWithTier("fresh-" + UUID.randomUUID(), "free", "customers:read");
		for (int i = 0; i < 3; i++) {
			get(client, fresh).expectStatus().isOk();
		}
		get(client, fresh).expectStatus().isEqualTo(429).expectHeader().exists(HttpHeaders.RETRY_AFTER);
	}

	private double degradedGauge() {
		return this.meters.get("scalarhub.gateway.rate-limit.degraded").gauge().value();
	}

	private static WebTestClient.ResponseSpec get(WebTestClient client, String token) {
		return client.get().uri("/v1/customers").header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
	}

}
