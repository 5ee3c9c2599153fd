package io.scalarhub.platform.observability;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.scalarhub.platform.PlatformTestApplication;
import io.scalarhub.platform.observability.TraceSamplingTest.StartedSpans;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

import static io.scalarhub.platform.observability.TraceSamplingTest.hex;
import static io.scalarhub.platform.observability.TraceSamplingTest.spansOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app with no span exporter (no OTLP endpoint: a local run without Jaeger) records no trace of its own, whatever
 * the sampling probability says (1.0 here, the local default), since nothing would receive it. The trace ids still
 * reach the response, and a trace its caller sampled is still continued and recorded, so that the decision passes on
 * to the app's callees unchanged. {@link TraceSamplingTest} is the same app with an exporter.
 */
@SpringBootTest(classes = { PlatformTestApplication.class, TraceSamplingWithoutExporterTest.Spans.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "eureka.client.enabled=false", "management.server.port=0",
		"scalarhub.security.public-paths=/probe", "management.tracing.sampling.probability=1.0" })
class TraceSamplingWithoutExporterTest {

	@LocalServerPort
	int port;

	@Autowired
	StartedSpans started;

	@Autowired
	ObjectProvider<SpanExporter> exporters;

	@Autowired
	Sampler sampler;

	final HttpClient http = HttpClient.newHttpClient();

	@Test
	void withNoExporterNoRequestStartsARecordedTrace() throws Exception {
		assertThat(this.exporters.stream()).as("span exporters in this app").isEmpty();
		assertThat(this.sampler.getDescription()).startsWith("ParentBased{root:AlwaysOffSampler")
			.contains("remoteParentSampled:AlwaysOnSampler");

		HttpResponse<String> response = get(null);

		assertThat(response.statusCode()).isEqualTo(200);
		String traceId = response.headers().firstValue("X-Trace-Id").orElseThrow();
		assertThat(traceId).hasSize(32).isNotEqualTo("0".repeat(32));
		assertThat(spansOf(this.started.spans, traceId)).isEmpty();
	}

	@Test
	void aTraceTheCallerSampledIsStillContinuedAndRecorded() throws Exception {
		String traceId = hex(32);

		HttpResponse<String> response = get("00-" + traceId + "-" + hex(16) + "-01");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
		assertThat(spansOf(this.started.spans, traceId)).singleElement()
			.satisfies((span) -> assertThat(span.getSpanContext().isSampled()).isTrue());
	}

	HttpResponse<String> get(String traceparent) throws Exception {
		return TraceSamplingTest.probe(this.http, this.port, traceparent);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Spans {

		@Bean
		StartedSpans startedSpans() {
			return new StartedSpans();
		}

	}

}
