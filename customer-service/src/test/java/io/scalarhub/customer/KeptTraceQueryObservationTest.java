package io.scalarhub.customer;

import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SQL statements are observed (a client span and a timer each, r2dbc-proxy) only in requests whose trace is kept.
 * The caller's {@code traceparent} decides (parent-based sampling): a write whose trace is sampled has its
 * statements observed, one whose trace is not has none, and pays for none.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeptTraceQueryObservationTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_kept_trace"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@Test
	void aWriteWhoseTraceIsKeptHasItsStatementsObserved() {
		long before = observedStatements();
		create("01");
		assertThat(observedStatements() - before).as("statements observed in a kept trace")
			.isGreaterThanOrEqualTo(2);
	}

	@Test
	void aWriteWhoseTraceIsNotKeptHasNone() {
		create("01"); // the statements' timer exists, and the connection is warm
		long before = observedStatements();
		for (int i = 0; i < 5; i++) {
			create("00");
		}
		assertThat(observedStatements()).as("statements observed in traces that are not kept").isEqualTo(before);
	}

	private void create(String traceFlags) {
		String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-"
				+ UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "-" + traceFlags;
		WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.build()
			.post()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("kept-trace", "customers:write"))
			.header("traceparent", traceparent)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Kept Trace\",\"email\":\"k-" + UUID.randomUUID() + "@example.com\"}")
			.exchange()
			.expectStatus()
			.isCreated();
	}

	private long observedStatements() {
		return this.meters.find("r2dbc.query").timers().stream().mapToLong(Timer::count).sum();
	}

}
