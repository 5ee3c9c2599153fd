package io.scalarhub.platform.observability;

import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SdkTracerProviderBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Span limits for the OpenTelemetry SDK that Boot configures. The SDK keeps attribute values whole by default,
 * and a span waits in the export queue (up to {@code management.opentelemetry.tracing.export.max-queue-size}
 * spans) until it is exported, so a few hundred failed requests, each carrying a reactive stack trace of
 * tens of KB, fill a small heap. The length limit applies to every attribute, the exception event's
 * {@code exception.stacktrace} included.
 */
@AutoConfiguration
@ConditionalOnClass({ SdkTracerProvider.class, SdkTracerProviderBuilderCustomizer.class })
@EnableConfigurationProperties(TracingLimitsProperties.class)
public class TracingLimitsAutoConfiguration {

	@Bean
	SdkTracerProviderBuilderCustomizer scalarhubSpanLimits(TracingLimitsProperties limits) {
		return (builder) -> builder.setSpanLimits(
				SpanLimits.builder().setMaxAttributeValueLength(limits.maxAttributeValueLength()).build());
	}

}
