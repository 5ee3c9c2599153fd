package io.scalarhub.customer;

import java.lang.reflect.Proxy;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.r2dbc.pool.ConnectionPool;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app with no span exporter (a local run without Jaeger) observes no SQL statement, not even in a trace its caller
 * kept: the statement spans would go nowhere. Its connections are the pool's own, with no r2dbc-proxy around them,
 * which would cost every statement its proxies and callbacks for no listener. {@link KeptTraceQueryObservationTest}
 * is the same app with an exporter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StatementsWithoutExporterTest extends StatementObservationTestBase {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_no_exporter"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	TestJwtIssuer issuer() {
		return issuer;
	}

	@Autowired
	ObjectProvider<SpanExporter> exporters;

	@Test
	void withNoExporterTheConnectionsAreThePoolsOwn() {
		assertThat(this.exporters.stream()).as("span exporters in this app").isEmpty();
		assertThat(this.primary).isInstanceOf(ConnectionPool.class);
		assertThat(primaryLayers()).as("the primary's connection factory, layer by layer").noneMatch(Proxy::isProxyClass);
	}

	@Test
	void aWriteWhoseTraceIsKeptObservesNoStatement() {
		for (int i = 0; i < 3; i++) {
			create("01");
		}
		assertThat(observedStatements()).as("statements observed with nothing to export to").isZero();
	}

}
