package io.scalarhub.customer;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In an app that exports spans (here a test exporter; in a deployment the OTLP one), SQL statements are observed (a
 * client span and a timer each, r2dbc-proxy) only in requests whose trace is kept. The caller's {@code traceparent}
 * decides (parent-based sampling): a write whose trace is sampled has its statements observed, one whose trace is
 * not has none, and pays for none. {@link StatementsWithoutExporterTest} is the same app with no exporter.
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

	@Autowired
	@Qualifier("connectionFactory")
	ConnectionFactory primary;

	@Test
	void theStatementsRunThroughTheObservingProxy() {
		assertThat(layers(this.primary)).as("the primary's connection factory, layer by layer")
			.anyMatch(Proxy::isProxyClass);
	}

	@Test
	void aWriteWhoseTraceIsKeptHasItsStatementsObserved() {
		long before = observedStatements(this.meters);
		create(this.port, issuer, "kept-trace", "01");
		assertThat(observedStatements(this.meters) - before).as("statements observed in a kept trace")
			.isGreaterThanOrEqualTo(2);
	}

	@Test
	void aWriteWhoseTraceIsNotKeptHasNone() {
		create(this.port, issuer, "kept-trace", "01"); // the statements' timer exists, and the connection is warm
		long before = observedStatements(this.meters);
		for (int i = 0; i < 5; i++) {
			create(this.port, issuer, "kept-trace", "00");
		}
		assertThat(observedStatements(this.meters)).as("statements observed in traces that are not kept")
			.isEqualTo(before);
	}

	/** POST /v1/customers as a client of the given tenant, in a trace with the given flags ("01": sampled). */
	static void create(int port, TestJwtIssuer issuer, String tenant, String traceFlags) {
		String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-"
				+ UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "-" + traceFlags;
		WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port)
			.build()
			.post()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token(tenant, "customers:write"))
			.header("traceparent", traceparent)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Kept Trace\",\"email\":\"k-" + UUID.randomUUID() + "@example.com\"}")
			.exchange()
			.expectStatus()
			.isCreated();
	}

	static long observedStatements(MeterRegistry meters) {
		return meters.find("r2dbc.query").timers().stream().mapToLong(Timer::count).sum();
	}

	/** The classes of a connection factory and of everything it wraps, outermost first. */
	static List<Class<?>> layers(Object factory) {
		List<Class<?>> layers = new ArrayList<>();
		Object current = factory;
		while (current != null && layers.size() < 10) {
			layers.add(current.getClass());
			current = (current instanceof Wrapped<?> wrapped) ? wrapped.unwrap() : null;
		}
		return layers;
	}

	/** A span exporter, as a deployment has one (OTLP); what it receives is not the point here. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Exporter {

		@Bean
		SpanExporter testSpanExporter() {
			return new SpanExporter() {

				@Override
				public CompletableResultCode export(Collection<SpanData> spans) {
					return CompletableResultCode.ofSuccess();
				}

				@Override
				public CompletableResultCode flush() {
					return CompletableResultCode.ofSuccess();
				}

				@Override
				public CompletableResultCode shutdown() {
					return CompletableResultCode.ofSuccess();
				}

			};
		}

	}

}
