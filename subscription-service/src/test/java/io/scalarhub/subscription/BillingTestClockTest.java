package io.scalarhub.subscription;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestPostgres;
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
 * Test clocks are off unless configured ({@code scalarhub.billing.test-clocks-enabled}, false by default): a
 * billing run as of a time in the future is refused (422 test-clock-disabled), stores nothing, and may be
 * sent again with the same key once corrected; as of now (give or take a minute of clock skew), of the past,
 * or of nothing is accepted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "scalarhub.billing.worker-enabled=false")
class BillingTestClockTest {

	static final Downstreams downstreams = new Downstreams();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("subscription_clock"), downstreams.issuer);
		downstreams.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@AfterAll
	static void stop() {
		downstreams.close();
	}

	@LocalServerPort
	int port;

	WebTestClient client;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + downstreams.issuer.token("clock-test", "billing:run"))
			.build();
	}

	WebTestClient.ResponseSpec start(String key, String body) {
		WebTestClient.RequestBodySpec request = this.client.post().uri("/v1/billing-runs").header("Idempotency-Key", key);
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange() : request.exchange();
	}

	static String asOf(Instant instant) {
		return "{\"asOf\":\"" + instant + "\"}";
	}

	@Test
	void aRunAsOfTheFutureIs422WhenTestClocksAreOff() {
		String key = UUID.randomUUID().toString();
		start(key, asOf(Instant.now().plus(Duration.ofDays(40)))).expectStatus().isEqualTo(422)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/test-clock-disabled")
			.jsonPath("$.status").isEqualTo(422)
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("future").contains("test"));
		start(UUID.randomUUID().toString(), asOf(Instant.now().plus(Duration.ofMinutes(5)))).expectStatus().isEqualTo(422);
		// nothing was recorded for the key: corrected, the same key starts the run
		start(key, asOf(Instant.now())).expectStatus().isAccepted()
			.expectHeader().doesNotExist("Idempotent-Replayed")
			.expectBody().jsonPath("$.status").isEqualTo("PENDING");
	}

	/**
	 * An asOf out of any calendar a run can work (bad-input corpus: one far in the past was stored as
	 * -infinity, and its run stayed RUNNING for ever) is a 400 naming it, and stores nothing.
	 */
	@Test
	void aRunAsOfAnAbsurdDateIs400() {
		for (String body : new String[] { "{\"asOf\":\"-999999999-01-01T00:00:00Z\"}", "{\"asOf\":\"1969-12-31T23:59:59Z\"}",
				"{\"asOf\":\"+100000-01-01T00:00:00Z\"}" }) {
			start(UUID.randomUUID().toString(), body).expectStatus().isBadRequest()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.errors[0].field").isEqualTo("asOf");
		}
	}

	@Test
	void aRunAsOfNowThePastOrNothingIsAccepted() {
		start(UUID.randomUUID().toString(), null).expectStatus().isAccepted();
		start(UUID.randomUUID().toString(), asOf(Instant.now().minus(Duration.ofDays(3)))).expectStatus().isAccepted();
		// another machine's clock a little ahead of this one's is no test clock
		start(UUID.randomUUID().toString(), asOf(Instant.now().plus(Duration.ofSeconds(20)))).expectStatus().isAccepted();
	}

}
