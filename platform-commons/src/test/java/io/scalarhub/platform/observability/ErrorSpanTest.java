package io.scalarhub.platform.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
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
 * What a failed request leaves in its server span, which stays in memory until exported: a client's bad input
 * (a 4xx problem) is not this server's error, so its span carries no exception and no error status; a server
 * failure (5xx) keeps its exception, with the stack trace cut to {@code scalarhub.tracing.max-attribute-value-length}.
 */
@SpringBootTest(classes = { PlatformTestApplication.class, ErrorSpanTest.Spans.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "eureka.client.enabled=false", "management.server.port=0",
		"scalarhub.security.public-paths=/probe/**", "scalarhub.tracing.max-attribute-value-length=512" })
class ErrorSpanTest {

	static final AttributeKey<String> STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

	@LocalServerPort
	int port;

	@Autowired
	ExportedSpans exported;

	@Autowired
	SdkTracerProvider tracerProvider;

	final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aClientsBadInputLeavesNoExceptionInTheSpan() throws Exception {
		HttpResponse<String> response = get("/probe/items/not-a-uuid");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("must be a UUID");
		SpanData span = serverSpan(response);
		assertThat(span.getEvents()).noneMatch((event) -> "exception".equals(event.getName()));
		assertThat(span.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
	}

	@Test
	void aServerFailureKeepsItsExceptionWithTheStackTraceCut() throws Exception {
		HttpResponse<String> response = get("/probe/failure");

		assertThat(response.statusCode()).isEqualTo(500);
		SpanData span = serverSpan(response);
		assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
		EventData exception = span.getEvents()
			.stream()
			.filter((event) -> "exception".equals(event.getName()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no exception event in " + span));
		String stackTrace = exception.getAttributes().get(STACKTRACE);
		// the top of the trace, which names the failure, cut at the limit (the whole one is several KB)
		assertThat(stackTrace).startsWith("java.lang.IllegalStateException: probe failure").hasSize(512);
	}

	HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/** The request's server span, once exported (it ends as the response completes). */
	SpanData serverSpan(HttpResponse<String> response) {
		String traceId = response.headers().firstValue("X-Trace-Id").orElseThrow();
		return await().atMost(Duration.ofSeconds(10)).until(() -> {
			this.tracerProvider.forceFlush().join(5, TimeUnit.SECONDS);
			return this.exported.spans.stream()
				.filter((span) -> span.getTraceId().equals(traceId) && span.getKind() == SpanKind.SERVER)
				.findFirst()
				.orElse(null);
		}, (span) -> span != null);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Spans {

		@Bean
		ExportedSpans exportedSpans() {
			return new ExportedSpans();
		}

	}

}
