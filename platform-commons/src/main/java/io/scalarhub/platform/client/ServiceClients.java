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
 * Every call presents the app's own token ({@link ServiceIdentity}) and names the tenant it is for.
 */
public class ServiceClients {

	private final LoadBalancedWebClients webClients;

	private final CircuitBreakerRegistry circuitBreakers;

	private final BulkheadRegistry bulkheads;

	private final TimeLimiterRegistry timeLimiters;

	private final RetryRegistry retries;

	private final ServiceIdentity identity;

	private final Map<String, ServiceClient> clients = new ConcurrentHashMap<>();

	public ServiceClients(LoadBalancedWebClients webClients, CircuitBreakerRegistry circuitBreakers,
			BulkheadRegistry bulkheads, TimeLimiterRegistry timeLimiters, RetryRegistry retries,
			ServiceIdentity identity) {
		this.webClients = webClients;
		this.identity = identity;
		this.circuitBreakers = circuitBreakers;
		this.bulkheads = bulkheads;
		this.timeLimiters = timeLimiters;
		this.retries = retries;
	}

	/** The client for {@code service}; the app must have a service identity ({@code scalarhub.service-identity}). */
	public ServiceClient forService(String service) {
		if (this.identity == null) {
			throw new IllegalStateException("Calling " + service + " needs this app's own identity: set "
					+ "scalarhub.service-identity.client-id and client-secret (a client with scope internal in auth-server)");
		}
		return this.clients.computeIfAbsent(service,
				(name) -> new ServiceClient(name,
						this.webClients.builder().filter(new CallerContextRelay()).filter(this.identity).build(),
						this.circuitBreakers.circuitBreaker(name), this.bulkheads.bulkhead(name),
						this.timeLimiters.timeLimiter(name), this.retries.retry(name)));
	}

}
