package io.scalarhub.platform.observability;

import io.micrometer.tracing.exporter.SpanExportingPredicate;
import io.micrometer.tracing.exporter.SpanFilter;
import io.micrometer.tracing.exporter.SpanReporter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessorBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SpanExporters;
import org.springframework.context.annotation.Bean;

/**
 * Finished spans go to the exporters as the SDK made them. Boot's processor exports through micrometer's
 * {@code CompositeSpanExporter}, which copies every span, attributes and events, into an {@code OtelFinishedSpan}
 * and back so that micrometer's span filters, predicates and reporters can see it: 4 KiB of the 234 the gateway
 * allocated per request (docs/performance.md), and with no exporter configured (a local run without Jaeger) the
 * copies went nowhere. The platform declares none of those hooks; where an app does, this gives way to Boot's.
 * The export settings ({@code management.opentelemetry.tracing.export.*}, the queue bound among them) are Boot's.
 */
@AutoConfiguration(before = OpenTelemetryTracingAutoConfiguration.class)
@ConditionalOnClass({ BatchSpanProcessor.class, SpanFilter.class, OpenTelemetryTracingAutoConfiguration.class })
@ConditionalOnMissingBean({ SpanFilter.class, SpanReporter.class, SpanExportingPredicate.class })
@EnableConfigurationProperties(OpenTelemetryTracingProperties.class)
public class SpanExportAutoConfiguration {

	/**
	 * Whether spans leave this app at all: the one test behind recording no root span and observing no statement
	 * where nothing would receive them (TraceSamplingAutoConfiguration, QueryObservationAutoConfiguration).
	 */
	static boolean exportsSpans(SpanExporters exporters) {
		return exporters != null && !exporters.list().isEmpty();
	}

	@Bean
	@ConditionalOnMissingBean
	BatchSpanProcessor otelSpanProcessor(SpanExporters exporters, OpenTelemetryTracingProperties tracing,
			ObjectProvider<MeterProvider> meterProvider) {
		OpenTelemetryTracingProperties.Export export = tracing.getExport();
		BatchSpanProcessorBuilder builder = BatchSpanProcessor
			.builder(SpanExporter.composite(exporters.list()))
			.setExportUnsampledSpans(export.isIncludeUnsampled())
			.setExporterTimeout(export.getTimeout())
			.setMaxExportBatchSize(export.getMaxBatchSize())
			.setMaxQueueSize(export.getMaxQueueSize())
			.setScheduleDelay(export.getScheduleDelay());
		meterProvider.ifAvailable(builder::setMeterProvider);
		return builder.build();
	}

}
