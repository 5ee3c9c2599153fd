package io.scalarhub.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Per-client rate limits: one token bucket per API client, sized by the client's tier (the {@code tier} claim
 * of its token). Changes take effect without a restart: edit the config-server file and POST
 * {@code /actuator/refresh} on the gateway's management port ({@link RateLimitSettings} rebinds).
 *
 * @param tiers bucket per tier name ({@code free}, {@code standard}, {@code enterprise}, ...)
 * @param defaultTier the tier of a token without a known {@code tier} claim
 * @param anonymous the bucket per source address for requests without a token (the token endpoint)
 * @param redisTimeout the longest a request waits on Redis before the {@code whenRedisDown} policy decides
 * @param whenRedisDown what happens while Redis cannot be asked
 * @param tenantTags the tenants whose rate-limit decisions are counted under a {@code tenant} tag of their own,
 * by tenant id: the label to tag them with. Every other tenant counts as {@value #OTHER_TENANTS} and requests
 * without a token as {@value #NO_TENANT}, so the tag's values stay as few as this map is long (a metric tag
 * must never take one value per tenant of an unbounded population)
 */
@ConfigurationProperties(RateLimitProperties.PREFIX)
public record RateLimitProperties(@DefaultValue Map<String, Bucket> tiers, @DefaultValue("free") String defaultTier,
		Bucket anonymous, @DefaultValue("300ms") Duration redisTimeout,
		@DefaultValue("allow") RedisDownPolicy whenRedisDown, @DefaultValue Map<String, String> tenantTags) {

	static final String OTHER_TENANTS = "other";

	static final String NO_TENANT = "none";

	public static final String PREFIX = "scalarhub.gateway.rate-limit";

	public RateLimitProperties {
		if (anonymous == null) {
			anonymous = new Bucket(20, 5);
		}
	}

	/** The bucket of {@code tier}, or of the default tier when the tier is unknown. */
	public Bucket bucketFor(String tier) {
		Bucket bucket = (tier != null) ? this.tiers.get(tier) : null;
		if (bucket == null) {
			bucket = this.tiers.get(this.defaultTier);
		}
		return (bucket != null) ? bucket : this.anonymous;
	}

	/** The {@code tenant} tag of a decision for a client of {@code tenant} (null: no token). */
	public String tenantTag(String tenant) {
		if (tenant == null) {
			return NO_TENANT;
		}
		return this.tenantTags.getOrDefault(tenant, OTHER_TENANTS);
	}

	/** The tier name a {@code tier} claim stands for: itself if configured, else the default tier. */
	public String tierName(String tier) {
		return (tier != null && this.tiers.containsKey(tier)) ? tier : this.defaultTier;
	}

	/**
	 * A token bucket: up to {@code capacity} requests at once, refilled at {@code refillPerSecond}.
	 *
	 * @param capacity the burst a client may send at once; also {@code RateLimit-Limit}
	 * @param refillPerSecond the sustained rate
	 */
	public record Bucket(int capacity, double refillPerSecond) {

		public Bucket {
			if (capacity < 1 || refillPerSecond <= 0) {
				throw new IllegalArgumentException("a bucket needs capacity >= 1 and refill-per-second > 0");
			}
		}

		/** Whole seconds until an empty bucket is full again. */
		long secondsToFill() {
			return (long) Math.ceil(this.capacity / this.refillPerSecond);
		}

	}

	/**
	 * The policy while Redis is unreachable (down, or slower than {@code redisTimeout}).
	 */
	public enum RedisDownPolicy {

		/** Fail open: every request passes (Kong's {@code fault_tolerant}); headers come from a local bucket. */
		ALLOW,

		/** Limit each client by a bucket local to this gateway instance until Redis is back. */
		LOCAL,

		/** Fail closed: 503 with Retry-After. For deployments where an unmetered request costs more than none. */
		DENY

	}

}
