package io.scalarhub.gateway.ratelimit;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.platform.problem.ApiProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Decides whether a client may send one more request: its tier's token bucket in Redis, or, while Redis
 * cannot be asked within {@code redis-timeout} (or its circuit breaker is open), the configured
 * {@link RateLimitProperties.RedisDownPolicy}. Being degraded is visible: a gauge, a counter per decision
 * and one log line when it starts and one when it ends. Recovery needs no restart: the breaker lets a probe
 * through and the first answer from Redis ends the degraded state.
 */
public class TieredRateLimiter {

	/** The resilience4j circuit breaker around the Redis calls (configured under resilience4j.circuitbreaker). */
	public static final String REDIS_BREAKER = "rate-limiter-redis";

	private static final Logger log = LoggerFactory.getLogger(TieredRateLimiter.class);

	private final RateLimitSettings settings;

	private final RedisTokenBuckets redis;

	private final LocalTokenBuckets local;

	private final CircuitBreaker breaker;

	private final MeterRegistry meters;

	private final AtomicBoolean degraded = new AtomicBoolean();

	private final Map<String, Counter> decisions = new ConcurrentHashMap<>();

	TieredRateLimiter(RateLimitSettings settings, RedisTokenBuckets redis, LocalTokenBuckets local,
			CircuitBreaker breaker, MeterRegistry meters) {
		this.settings = settings;
		this.redis = redis;
		this.local = local;
		this.breaker = breaker;
		this.meters = meters;
		Gauge.builder("scalarhub.gateway.rate-limit.degraded", this.degraded, (flag) -> flag.get() ? 1 : 0)
			.description("1 while the rate limiter cannot reach Redis and applies its when-redis-down policy")
			.register(meters);
	}

	public Mono<RateLimitDecision> check(ClientIdentity client) {
		RateLimitProperties limits = this.settings.current();
		String tier = client.anonymous() ? ClientIdentity.ANONYMOUS : limits.tierName(client.tier());
		RateLimitProperties.Bucket bucket = client.anonymous() ? limits.anonymous() : limits.bucketFor(client.tier());
		return this.redis.take(client.key(), bucket)
			.timeout(limits.redisTimeout())
			.transformDeferred(CircuitBreakerOperator.of(this.breaker))
			.doOnNext((decision) -> redisAnswered())
			.onErrorResume((error) -> Mono.fromSupplier(() -> withoutRedis(client, bucket, limits, error)))
			.doOnNext((decision) -> count(tier, limits.tenantTag(client.tenant()), decision));
	}

	public boolean degraded() {
		return this.degraded.get();
	}

	private RateLimitDecision withoutRedis(ClientIdentity client, RateLimitProperties.Bucket bucket,
			RateLimitProperties limits, Throwable error) {
		if (this.degraded.compareAndSet(false, true)) {
			log.warn("Rate limiter degraded: Redis did not answer ({}); applying when-redis-down={} until it does",
					error.toString(), limits.whenRedisDown());
		}
		RateLimitDecision local = this.local.take(client.key(), bucket);
		return switch (limits.whenRedisDown()) {
			case ALLOW -> new RateLimitDecision(true, local.limit(), local.remaining(), local.resetSeconds(), 0,
					local.source());
			case LOCAL -> local;
			case DENY -> throw ApiProblem.unavailable("Rate limiting is unavailable; retry shortly.", 1);
		};
	}

	private void redisAnswered() {
		if (this.degraded.compareAndSet(true, false)) {
			this.local.clear();
			log.info("Rate limiter recovered: Redis answers again");
		}
	}

	private void count(String tier, String tenant, RateLimitDecision decision) {
		String outcome = decision.allowed() ? "allowed" : "limited";
		String source = decision.source().name().toLowerCase(Locale.ROOT);
		// tiers and tenant tags are the configured ones (bounded); looked up once per combination, not built per request
		this.decisions.computeIfAbsent(tier + '|' + tenant + '|' + outcome + '|' + source, (key) -> Counter
			.builder("scalarhub.gateway.rate-limit.decisions")
			.description("Rate-limit decisions by tier, tenant (the configured ones, else other), outcome and who decided (redis, or this instance's fallback)")
			.tag("tier", tier)
			.tag("tenant", tenant)
			.tag("outcome", outcome)
			.tag("source", source)
			.register(this.meters)).increment();
	}

}
