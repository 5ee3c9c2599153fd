package io.scalarhub.platform.client;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.scalarhub.platform.PlatformWebAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * Service-to-service calls: {@link ServiceClients} over Eureka-resolved WebClients and the app's
 * resilience4j registries (made by resilience4j's own Spring Boot auto-configuration from
 * {@code resilience4j.*} properties).
 */
@AutoConfiguration(after = PlatformWebAutoConfiguration.class, afterName = {
		"io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
		"io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration",
		"io.github.resilience4j.springboot3.timelimiter.autoconfigure.TimeLimiterAutoConfiguration",
		"io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ServiceClientAutoConfiguration {

	@Bean
	ServiceClients serviceClients(LoadBalancedWebClients webClients, CircuitBreakerRegistry circuitBreakers,
			BulkheadRegistry bulkheads, TimeLimiterRegistry timeLimiters, RetryRegistry retries) {
		return new ServiceClients(webClients, circuitBreakers, bulkheads, timeLimiters, retries);
	}

	@Bean
	ServiceClientProblemMapper serviceClientProblemMapper() {
		return new ServiceClientProblemMapper();
	}

}
