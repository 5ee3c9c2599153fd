package io.scalarhub.customer;

import java.lang.reflect.Proxy;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In an app that exports spans (here a no-op exporter; in a deployment the OTLP one), SQL statements are observed (a
 * client span and a timer each, r2dbc-proxy) only in requests whose trace is kept. The caller's {@code traceparent}
 * decides (parent-based sampling): a write whose trace is sampled has its statements observed, one whose trace is
 * not has none, and pays for none. {@link StatementsWithoutExporterTest} is the same app with no exporter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeptTraceQueryObservationTest extends StatementObservationTestBase {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_kept_trace"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	TestJwtIssuer issuer() {
		return issuer;
	}

	@Test
	void theStatementsRunThroughTheObservingProxy() {
		assertThat(primaryLayers()).as("the primary's connection factory, layer by layer").anyMatch(Proxy::isProxyClass);
	}

	@Test
	void aWriteWhoseTraceIsKeptHasItsStatementsObserved() {
		long before = observedStatements();
		create("01");
		assertThat(observedStatements() - before).as("statements observed in a kept trace").isGreaterThanOrEqualTo(2);
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

	/** A span exporter, as a deployment has one; what it is given is not the point here. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Exporter {

		@Bean
		SpanExporter noopSpanExporter() {
			return SpanExporter.composite();
		}

	}

}
