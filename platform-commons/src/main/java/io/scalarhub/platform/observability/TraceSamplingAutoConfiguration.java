package io.scalarhub.platform.observability;

import io.opentelemetry.sdk.trace.samplers.Sampler;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.tracing.autoconfigure.TracingProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SpanExporters;
import org.springframework.context.annotation.Bean;

/**
 * Boot's sampler ({@code management.tracing.sampling.probability} for a request that starts a trace, the caller's
 * decision for one that continues a trace), with one difference: an app with no span exporter starts no recorded
 * trace. A recorded span costs its attributes, its events and, per SQL statement, an observation
 * ({@link KeptTraceQueryListener}); with nothing to export it to (a local run without Jaeger, where the probability
 * is 1.0) all of that went nowhere. Trace ids still reach logs, responses ({@code X-Trace-Id}) and callees, and a
 * caller's sampled trace is still continued, so an app whose exporter is off does not cut a trace that others
 * record.
 */
@AutoConfiguration(before = OpenTelemetryTracingAutoConfiguration.class)
@ConditionalOnClass({ Sampler.class, SpanExporters.class, OpenTelemetryTracingAutoConfiguration.class })
@EnableConfigurationProperties(TracingProperties.class)
public class TraceSamplingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	Sampler otelSampler(TracingProperties tracing, SpanExporters exporters) {
		Sampler root = !SpanExportAutoConfiguration.exportsSpans(exporters) ? Sampler.alwaysOff()
				: Sampler.traceIdRatioBased(tracing.getSampling().getProbability());
		return Sampler.parentBased(root);
	}

}
