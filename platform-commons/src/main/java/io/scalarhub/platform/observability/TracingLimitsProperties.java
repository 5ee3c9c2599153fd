package io.scalarhub.platform.observability;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code scalarhub.tracing}: bounds on what one span may hold in memory until it is exported.
 *
 * @param maxAttributeValueLength the longest text kept in a span attribute or event attribute; longer values
 * (an exception's stack trace, a hostile 4,000-character URL) are cut to this many characters. The first
 * frames of a stack trace are the ones that say where it failed.
 */
@ConfigurationProperties("scalarhub.tracing")
public record TracingLimitsProperties(@DefaultValue("4096") int maxAttributeValueLength) {

	public TracingLimitsProperties {
		if (maxAttributeValueLength < 256) {
			throw new IllegalArgumentException(
					"scalarhub.tracing.max-attribute-value-length must be at least 256, was " + maxAttributeValueLength);
		}
	}

}
