package io.scalarhub.platform.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code scalarhub.security.token-cache}: the tokens an app has already verified, kept so that a client sending
 * the same bearer token again is not verified again ({@link CachingReactiveJwtDecoder}).
 *
 * @param enabled whether verified tokens are kept at all; off, every request verifies its token
 * @param maximumSize the most tokens kept (about 2 KB each with the decoded claims); the least useful go first
 * @param maxTtl the longest a verified token is served from memory, however late its {@code exp}: how long a
 * verification is reused before the token is checked against the key set again
 */
@ConfigurationProperties("scalarhub.security.token-cache")
public record TokenCacheProperties(@DefaultValue("true") boolean enabled, @DefaultValue("10000") long maximumSize,
		@DefaultValue("5m") Duration maxTtl) {

	public TokenCacheProperties {
		if (maximumSize <= 0) {
			throw new IllegalArgumentException("scalarhub.security.token-cache.maximum-size must be positive, was "
					+ maximumSize + " (set enabled: false to keep no tokens)");
		}
		if (maxTtl.isNegative() || maxTtl.isZero()) {
			throw new IllegalArgumentException(
					"scalarhub.security.token-cache.max-ttl must be positive, was " + maxTtl);
		}
	}

}
