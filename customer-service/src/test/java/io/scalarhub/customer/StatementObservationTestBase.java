package io.scalarhub.customer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.test.TestJwtIssuer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the tests of SQL statement observation share: writes in a trace whose flags the test chooses, the count of
 * observed statements ({@code r2dbc.query} timers), and the layers of the primary's connection factory.
 */
abstract class StatementObservationTestBase {

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@Autowired
	@Qualifier("connectionFactory")
	ConnectionFactory primary;

	/** The issuer of the tokens the subclass's app trusts. */
	abstract TestJwtIssuer issuer();

	/** POST /v1/customers in a trace with the given flags ("01": sampled, "00": not). */
	void create(String traceFlags) {
		String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-"
				+ UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "-" + traceFlags;
		WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.build()
			.post()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer().token("statements", "customers:write"))
			.header("traceparent", traceparent)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Kept Trace\",\"email\":\"k-" + UUID.randomUUID() + "@example.com\"}")
			.exchange()
			.expectStatus()
			.isCreated();
	}

	long observedStatements() {
		return this.meters.find("r2dbc.query").timers().stream().mapToLong(Timer::count).sum();
	}

	/** The classes of the primary's connection factory and of everything it wraps, outermost first. */
	List<Class<?>> primaryLayers() {
		List<Class<?>> layers = new ArrayList<>();
		Object current = this.primary;
		while (current != null && layers.size() < 10) {
			layers.add(current.getClass());
			current = (current instanceof Wrapped<?> wrapped) ? wrapped.unwrap() : null;
		}
		return layers;
	}

}
