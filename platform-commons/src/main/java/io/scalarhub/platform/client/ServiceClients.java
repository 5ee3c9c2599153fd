package io.scalarhub.platform.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;

/**
 * The one way services call each other: {@code serviceClients.forService("account-service")}. Each
 * downstream gets its own circuit breaker, bulkhead, time limiter and retry, named after it, from the
 * app's resilience4j registries (so they show in its metrics and take their settings from configuration).
 */
public class ServiceClients {

	private final LoadBalancedWebClients webClients;

	private final CircuitBreakerRegistry circuitBreakers;

	private final BulkheadRegistry bulkheads;

	private final TimeLimiterRegistry timeLimiters;

	private final RetryRegistry retries;

	private final Map<String, ServiceClient> clients = new ConcurrentHashMap<>();

	public ServiceClients(LoadBalancedWebClients webClients, CircuitBreakerRegistry circuitBreakers,
			BulkheadRegistry bulkheads, TimeLimiterRegistry timeLimiters, RetryRegistry retries) {
		this.webClients = webClients;
		this.circuitBreakers = circuitBreakers;
		this.bulkheads = bulkheads;
		this.timeLimiters = timeLimiters;
		this.retries = retries;
	}

	public ServiceClient forService(String service) {
		return this.clients.computeIfAbsent(service,
				(name) -> new ServiceClient(name, this.webClients.builder().filter(new CallerContextRelay()).build(),
						this.circuitBreakers.circuitBreaker(name), this.bulkheads.bulkhead(name),
						this.timeLimiters.timeLimiter(name), this.retries.retry(name)));
	}

}
