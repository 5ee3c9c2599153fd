package io.scalarhub.customer;

import java.lang.reflect.Proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.scalarhub.customer.KeptTraceQueryObservationTest.create;
import static io.scalarhub.customer.KeptTraceQueryObservationTest.layers;
import static io.scalarhub.customer.KeptTraceQueryObservationTest.observedStatements;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app with no span exporter (a local run without Jaeger) observes no SQL statement, not even in a trace its caller
 * kept: the statement spans would go nowhere. Its connections are the pool's own, with no r2dbc-proxy around them,
 * which would cost every statement its proxies and callbacks for no listener. {@link KeptTraceQueryObservationTest}
 * is the same app with an exporter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StatementsWithoutExporterTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_no_exporter"), issuer);
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

	@Autowired
	ObjectProvider<SpanExporter> exporters;

	@Test
	void withNoExporterTheConnectionsAreThePoolsOwn() {
		assertThat(this.exporters.stream()).as("span exporters in this app").isEmpty();
		assertThat(this.primary).isInstanceOf(ConnectionPool.class);
		assertThat(layers(this.primary)).as("the primary's connection factory, layer by layer")
			.noneMatch(Proxy::isProxyClass);
	}

	@Test
	void aWriteWhoseTraceIsKeptObservesNoStatement() {
		for (int i = 0; i < 3; i++) {
			create(this.port, issuer, "no-exporter", "01");
		}
		assertThat(observedStatements(this.meters)).as("statements observed with nothing to export to").isZero();
	}

}
