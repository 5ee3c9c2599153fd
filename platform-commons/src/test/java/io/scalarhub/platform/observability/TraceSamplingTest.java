package io.scalarhub.platform.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.scalarhub.platform.PlatformTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sampling follows the caller: a service continues the decision the gateway made and sent in {@code traceparent}
 * (W3C), even with the platform's local default of sampling every request (probability 1.0, deliberately not
 * set here). An unsampled request gets no recording span: the SDK calls a span processor's {@code onStart} only
 * for recording spans, so {@link StartedSpans} sees every span that costs attributes, events and an export.
 */
@SpringBootTest(classes = { PlatformTestApplication.class, TraceSamplingTest.Spans.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "eureka.client.enabled=false", "management.server.port=0",
		"scalarhub.security.public-paths=/probe" })
class TraceSamplingTest {

	@LocalServerPort
	int port;

	@Autowired
	StartedSpans started;

	@Autowired
	ExportedSpans exported;

	@Autowired
	SdkTracerProvider tracerProvider;

	@Autowired
	Sampler sampler;

	final HttpClient http = HttpClient.newHttpClient();

	@Test
	void theSamplerFollowsTheParentAndSamplesEveryRootRequestByDefault() {
		assertThat(this.sampler.getDescription()).startsWith("ParentBased{root:TraceIdRatioBased{1.000000}")
			.contains("remoteParentSampled:AlwaysOnSampler", "remoteParentNotSampled:AlwaysOffSampler");
	}

	@Test
	void aRequestTheCallerDidNotSampleIsNotRecordedNorExported() throws Exception {
		String traceId = hex(32);
		String parentSpanId = hex(16);

		HttpResponse<String> response = get("00-" + traceId + "-" + parentSpanId + "-00");

		assertThat(response.statusCode()).isEqualTo(200);
		// the trace is continued (its id still reaches logs and X-Trace-Id) but nothing records it
		assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
		assertThat(spansOf(this.started.spans, traceId)).isEmpty();

		// a sampled request after it: once that one is exported, nothing of the first was
		String sampledTraceId = hex(32);
		get("00-" + sampledTraceId + "-" + hex(16) + "-01");
		awaitExported(sampledTraceId);
		assertThat(this.exported.spans).noneMatch((span) -> span.getTraceId().equals(traceId));
		assertThat(spansOf(this.started.spans, traceId)).isEmpty();
	}

	@Test
	void aRequestTheCallerSampledIsRecordedAndExportedAsTheCallersChild() throws Exception {
		String traceId = hex(32);
		String parentSpanId = hex(16);

		HttpResponse<String> response = get("00-" + traceId + "-" + parentSpanId + "-01");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
		List<ReadableSpan> recorded = spansOf(this.started.spans, traceId);
		assertThat(recorded).singleElement().satisfies((span) -> {
			assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
			assertThat(span.getParentSpanContext().getSpanId()).isEqualTo(parentSpanId);
			assertThat(span.getParentSpanContext().isRemote()).isTrue();
			assertThat(span.getSpanContext().isSampled()).isTrue();
		});
		awaitExported(traceId);
	}

	@Test
	void aRequestWithoutTraceContextIsSampledByTheLocalDefault() throws Exception {
		HttpResponse<String> response = get(null);

		String traceId = response.headers().firstValue("X-Trace-Id").orElseThrow();
		assertThat(spansOf(this.started.spans, traceId)).singleElement()
			.satisfies((span) -> assertThat(span.getSpanContext().isSampled()).isTrue());
		awaitExported(traceId);
	}

	HttpResponse<String> get(String traceparent) throws Exception {
		return probe(this.http, this.port, traceparent);
	}

	/** GET /probe on the test app, with the given {@code traceparent} header when not null. */
	static HttpResponse<String> probe(HttpClient http, int port, String traceparent) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/probe"));
		if (traceparent != null) {
			request.header("traceparent", traceparent);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The server span ends as the response completes, maybe just after the client saw it: wait for its export. */
	void awaitExported(String traceId) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			this.tracerProvider.forceFlush().join(5, TimeUnit.SECONDS);
			assertThat(this.exported.spans).anyMatch((span) -> span.getTraceId().equals(traceId));
		});
	}

	static List<ReadableSpan> spansOf(Collection<ReadableSpan> spans, String traceId) {
		return spans.stream().filter((span) -> span.getSpanContext().getTraceId().equals(traceId)).toList();
	}

	static String hex(int digits) {
		StringBuilder hex = new StringBuilder(digits);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < digits; i++) {
			hex.append(Character.forDigit(random.nextInt(16), 16));
		}
		return hex.toString();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Spans {

		@Bean
		StartedSpans startedSpans() {
			return new StartedSpans();
		}

		@Bean
		ExportedSpans exportedSpans() {
			return new ExportedSpans();
		}

	}

	/** Every recording span, as it starts. */
	static final class StartedSpans implements SpanProcessor {

		final List<ReadableSpan> spans = new CopyOnWriteArrayList<>();

		@Override
		public void onStart(Context parentContext, ReadWriteSpan span) {
			this.spans.add(span);
		}

		@Override
		public boolean isStartRequired() {
			return true;
		}

		@Override
		public void onEnd(ReadableSpan span) {
		}

		@Override
		public boolean isEndRequired() {
			return false;
		}

	}

}
