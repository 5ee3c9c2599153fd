package io.scalarhub.gateway.resilience;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.filter.factory.RetryGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * {@code IdempotentRetry}: the stock {@code Retry} filter, applied where repeating a request is safe. GET and HEAD,
 * and any request carrying an {@code Idempotency-Key} (the service replays instead of acting twice), are retried
 * when the connection could not be made or broke before the answer (any I/O failure: refused, closed early, reset
 * by an instance killed mid-request) and on a 503. Any other request is retried only when its connection was never
 * made (nothing was sent). Retries use exponential backoff and jitter, a bounded number of times; each attempt goes
 * through the load balancer again, which has ejected an instance it could not reach, so it lands on another one.
 * Never a timeout: the request may still be running. Retries are counted per route
 * ({@code scalarhub.gateway.retries}).
 */
public class IdempotentRetryGatewayFilterFactory
		extends AbstractGatewayFilterFactory<IdempotentRetryGatewayFilterFactory.Config> {

	/** Inside the circuit breaker (order 1, its place in the route), before the load balancer and the call. */
	public static final int ORDER = 1000;

	private static final Set<HttpMethod> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD);

	private final RetryGatewayFilterFactory retry;

	private final MeterRegistry meters;

	public IdempotentRetryGatewayFilterFactory(RetryGatewayFilterFactory retry, MeterRegistry meters) {
		super(Config.class);
		this.retry = retry;
		this.meters = meters;
	}

	@Override
	@SuppressWarnings("unchecked")
	public GatewayFilter apply(Config config) {
		GatewayFilter retrying = this.retry.apply(retryConfig(config).setStatuses(HttpStatus.SERVICE_UNAVAILABLE)
			.setExceptions(IOException.class));
		// a connection that was never made sent nothing: safe to try elsewhere whatever the request
		GatewayFilter retryingUnsent = this.retry.apply(retryConfig(config).setStatuses()
			.setExceptions(ConnectException.class, NoRouteToHostException.class));
		Counter retries = Counter.builder("scalarhub.gateway.retries")
			.description("Requests the gateway sent again to a downstream service")
			.tag("route", String.valueOf(config.getRouteId()))
			.register(this.meters);
		return new OrderedGatewayFilter((exchange, chain) -> {
			GatewayFilter retry = repeatable(exchange.getRequest()) ? retrying : retryingUnsent;
			return retry.filter(exchange, chain).doFinally((signal) -> {
				Integer iteration = exchange.getAttribute(RetryGatewayFilterFactory.RETRY_ITERATION_KEY);
				if (iteration != null && iteration > 0) {
					retries.increment(iteration);
				}
			});
		}, ORDER);
	}

	private static RetryGatewayFilterFactory.RetryConfig retryConfig(Config config) {
		RetryGatewayFilterFactory.RetryConfig retryConfig = new RetryGatewayFilterFactory.RetryConfig()
			.setRetries(config.getRetries())
			.setSeries()
			.setMethods(HttpMethod.values())
			.setBackoff(config.getFirstBackoff(), config.getMaxBackoff(), 2, false)
			.setJitter(config.getJitter());
		if (config.getRouteId() != null) {
			retryConfig.setRouteId(config.getRouteId());
		}
		return retryConfig;
	}

	static boolean repeatable(ServerHttpRequest request) {
		return SAFE_METHODS.contains(request.getMethod()) || request.getHeaders().containsHeader("Idempotency-Key");
	}

	public static class Config implements HasRouteId {

		private String routeId;

		private int retries = 2;

		private Duration firstBackoff = Duration.ofMillis(50);

		private Duration maxBackoff = Duration.ofMillis(500);

		private double jitter = 0.5;

		@Override
		public void setRouteId(String routeId) {
			this.routeId = routeId;
		}

		@Override
		public String getRouteId() {
			return this.routeId;
		}

		public int getRetries() {
			return this.retries;
		}

		public void setRetries(int retries) {
			this.retries = retries;
		}

		public Duration getFirstBackoff() {
			return this.firstBackoff;
		}

		public void setFirstBackoff(Duration firstBackoff) {
			this.firstBackoff = firstBackoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

		public double getJitter() {
			return this.jitter;
		}

		public void setJitter(double jitter) {
			this.jitter = jitter;
		}

	}

}
