package io.scalarhub.platform.observability;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.tracing.exporter.SpanFilter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The platform's span processor hands finished spans to the exporters as the SDK made them (no copy for
 * micrometer's hooks), keeps Boot's export settings, and gives way to Boot's processor where an app declares one of
 * micrometer's span filters, predicates or reporters, which only Boot's processor applies.
 */
class SpanExportTest {

	final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SpanExportAutoConfiguration.class,
				OpenTelemetrySdkAutoConfiguration.class, OpenTelemetryTracingAutoConfiguration.class))
		.withPropertyValues("spring.application.name=span-export-test", "management.tracing.sampling.probability=1.0")
		.withBean(ExportedSpans.class, ExportedSpans::new);

	@Test
	void spansReachTheExporterAsTheSdkMadeThem() {
		this.contexts.run((context) -> {
			Span span = tracer(context).spanBuilder("work").setAttribute("tenant", "t-1").startSpan();
			span.end();

			SpanData exported = exportedOnly(context);
			assertThat(exported.getName()).isEqualTo("work");
			assertThat(exported.getAttributes().asMap()).hasSize(1);
			// the SDK's own snapshot of the span, not micrometer's copy of it (io.micrometer.tracing.otel.bridge)
			assertThat(exported.getClass().getName()).startsWith("io.opentelemetry.sdk.");
		});
	}

	@Test
	void anAppsSpanFilterIsStillApplied() {
		SpanFilter renaming = (span) -> span.setName("filtered-" + span.getName());
		this.contexts.withBean(SpanFilter.class, () -> renaming).run((context) -> {
			tracer(context).spanBuilder("work").startSpan().end();

			assertThat(exportedOnly(context).getName()).isEqualTo("filtered-work");
		});
	}

	@Test
	void theExportQueueKeepsItsBound() {
		ExportGate gate = new ExportGate();
		this.contexts.withBean(ExportGate.class, () -> gate)
			.withPropertyValues("management.opentelemetry.tracing.export.max-queue-size=16",
					"management.opentelemetry.tracing.export.max-batch-size=4",
					"management.opentelemetry.tracing.export.schedule-delay=10ms")
			.run((context) -> {
				Tracer tracer = tracer(context);
				tracer.spanBuilder("first").startSpan().end();
				assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the exporter was called").isTrue();
				// the worker is held in the exporter: what ends now waits in the queue, up to its bound
				for (int i = 0; i < 200; i++) {
					tracer.spanBuilder("queued").startSpan().end();
				}
				gate.release.countDown();
				context.getBean(SdkTracerProvider.class).forceFlush().join(10, TimeUnit.SECONDS);

				long queued = gate.spans.stream().filter((span) -> span.getName().equals("queued")).count();
				assertThat(queued).isBetween(1L, 16L);
			});
	}

	static Tracer tracer(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed().hasSingleBean(BatchSpanProcessor.class);
		return context.getBean(SdkTracerProvider.class).get("span-export-test");
	}

	static SpanData exportedOnly(AssertableApplicationContext context) {
		ExportedSpans exported = context.getBean(ExportedSpans.class);
		SdkTracerProvider provider = context.getBean(SdkTracerProvider.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			provider.forceFlush().join(5, TimeUnit.SECONDS);
			return !exported.spans.isEmpty();
		});
		assertThat(exported.spans).hasSize(1);
		return exported.spans.get(0);
	}

	/** Keeps what it exports, holding the export worker on its first batch until released. */
	static final class ExportGate extends ExportedSpans {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@Override
		public CompletableResultCode export(Collection<SpanData> batch) {
			this.entered.countDown();
			try {
				this.release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return super.export(batch);
		}

	}

}
