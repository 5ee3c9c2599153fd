package io.scalarhub.gateway.ratelimit;

import java.util.List;
import java.util.Map;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import io.scalarhub.platform.problem.ProblemWriter;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * {@code ClientRateLimit}: the per-client, per-tier limit as a gateway filter (a default filter, so every
 * route has it). Every response it lets through carries the IETF {@code RateLimit-Limit},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset} headers; a refused request is a 429 problem with
 * {@code Retry-After}. It replaces the stock {@code RequestRateLimiter}, which has one limit for every key,
 * no reset or Retry-After header and an empty 429.
 */
public class ClientRateLimitGatewayFilterFactory extends AbstractGatewayFilterFactory<Object> {

	/** Before the circuit breakers and retries: a refused request costs no downstream capacity. */
	public static final int ORDER = -100;

	public static final String LIMIT = "RateLimit-Limit";

	public static final String REMAINING = "RateLimit-Remaining";

	public static final String RESET = "RateLimit-Reset";

	private final TieredRateLimiter limiter;

	private final ProblemWriter problems;

	public ClientRateLimitGatewayFilterFactory(TieredRateLimiter limiter, ProblemWriter problems) {
		super(Object.class);
		this.limiter = limiter;
		this.problems = problems;
	}

	@Override
	public GatewayFilter apply(Object config) {
		return new OrderedGatewayFilter((exchange, chain) -> ClientIdentity.of(exchange)
			.flatMap(this.limiter::check)
			.flatMap((decision) -> {
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set(LIMIT, Long.toString(decision.limit()));
				headers.set(REMAINING, Long.toString(decision.remaining()));
				headers.set(RESET, Long.toString(decision.resetSeconds()));
				if (decision.allowed()) {
					return chain.filter(exchange);
				}
				return this.problems.write(exchange, tooManyRequests(decision));
			}), ORDER);
	}

	private static ApiProblem tooManyRequests(RateLimitDecision decision) {
		return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.RATE_LIMITED, "Too many requests",
				"This client has used its rate limit (" + decision.limit() + " requests per burst); retry after "
						+ decision.retryAfterSeconds() + " s.",
				List.of(), Map.of(HttpHeaders.RETRY_AFTER, Long.toString(decision.retryAfterSeconds())));
	}

}
