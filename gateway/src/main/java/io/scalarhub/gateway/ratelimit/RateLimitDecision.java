package io.scalarhub.gateway.ratelimit;

/**
 * What the limiter decided for one request, with what the IETF {@code RateLimit-*} headers report.
 *
 * @param allowed whether the request may proceed
 * @param limit the bucket's capacity ({@code RateLimit-Limit})
 * @param remaining requests left right now ({@code RateLimit-Remaining})
 * @param resetSeconds seconds until the bucket is full again ({@code RateLimit-Reset})
 * @param retryAfterSeconds when refused, seconds until one request fits ({@code Retry-After})
 * @param source who decided: Redis (shared by every gateway instance) or this instance's fallback
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds,
		long retryAfterSeconds, Source source) {

	public enum Source {

		REDIS, FALLBACK

	}

	/** From a bucket's state in milliseconds, rounding waits up so a client that waits as told is served. */
	static RateLimitDecision of(boolean allowed, long limit, long remaining, long msToFull, long msToNextToken,
			Source source) {
		return new RateLimitDecision(allowed, limit, Math.max(0, remaining), ceilSeconds(msToFull),
				allowed ? 0 : Math.max(1, ceilSeconds(msToNextToken)), source);
	}

	private static long ceilSeconds(long millis) {
		return (Math.max(0, millis) + 999) / 1000;
	}

}
