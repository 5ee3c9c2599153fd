package io.scalarhub.gateway.ratelimit;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.platform.problem.ProblemWriter;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
class RateLimitConfiguration {

	@Bean
	RateLimitSettings rateLimitSettings(Environment environment, RateLimitProperties properties) {
		return new RateLimitSettings(environment, properties);
	}

	@Bean
	TieredRateLimiter tieredRateLimiter(RateLimitSettings settings, ReactiveStringRedisTemplate redis,
			CircuitBreakerRegistry breakers, MeterRegistry meters) {
		return new TieredRateLimiter(settings, new RedisTokenBuckets(redis),
				new LocalTokenBuckets(100_000, System::currentTimeMillis),
				breakers.circuitBreaker(TieredRateLimiter.REDIS_BREAKER), meters);
	}

	@Bean
	ClientRateLimitGatewayFilterFactory clientRateLimitGatewayFilterFactory(TieredRateLimiter limiter,
			ProblemWriter problems) {
		return new ClientRateLimitGatewayFilterFactory(limiter, problems);
	}

	/**
	 * While the connection to Redis is down, Lettuce would queue commands until it reconnects; reject them
	 * instead so that the limiter's fallback decides at once rather than after the timeout.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
		return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
	}

	/**
	 * Lettuce backs off reconnecting up to 30 s by default; capped at 2 s, limiting resumes within seconds of
	 * Redis coming back.
	 */
	@Bean
	ClientResourcesBuilderCustomizer boundedReconnectDelay() {
		return (resources) -> resources
			.reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS));
	}

}
