package io.scalarhub.gateway.resilience;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import io.scalarhub.platform.problem.ProblemWriter;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Where a route's {@code CircuitBreaker} filter forwards a call that failed or was not attempted
 * ({@code fallbackUri: forward:/fallback/<service>}): a 503 problem with {@code Retry-After}, at once. While
 * the circuit is open, Retry-After is its wait in the open state; otherwise (a refused connection, a
 * timeout) one second. Called from outside, without a circuit-breaker failure behind it, it is a 404.
 */
public class CircuitBreakerFallback {

	public static final String PATH = "/fallback/{service}";

	private final CircuitBreakerRegistry breakers;

	private final ProblemWriter problems;

	public CircuitBreakerFallback(CircuitBreakerRegistry breakers, ProblemWriter problems) {
		this.breakers = breakers;
		this.problems = problems;
	}

	public Mono<ServerResponse> handle(ServerRequest request) {
		ServerWebExchange exchange = request.exchange();
		Throwable failure = exchange.getAttribute(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
		if (failure == null) {
			return Mono.error(ApiProblem.notFound("resource", "at this path"));
		}
		ApiProblem problem;
		if (failure instanceof CallNotPermittedException) {
			long retryAfter = openWaitSeconds(request.pathVariable("service"));
			problem = new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, "Service unavailable",
					"The service behind this endpoint is failing and is not being called for now; retry after "
							+ retryAfter + " s.",
					java.util.List.of(), java.util.Map.of("Retry-After", Long.toString(retryAfter)));
		}
		else {
			problem = ApiProblem.unavailable("The service behind this endpoint did not answer; retry shortly.", 1);
		}
		// the problem names the path the client asked for, not this forward
		return this.problems.write(exchange.mutate().request((r) -> r.path(originalPath(exchange))).build(), problem)
			.then(Mono.empty());
	}

	private long openWaitSeconds(String service) {
		Duration wait = Duration.ofMillis(this.breakers.circuitBreaker(service)
			.getCircuitBreakerConfig()
			.getWaitIntervalFunctionInOpenState()
			.apply(1));
		return Math.max(1, (wait.toMillis() + 999) / 1000);
	}

	private static String originalPath(ServerWebExchange exchange) {
		Set<URI> urls = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ORIGINAL_REQUEST_URL_ATTR);
		return (urls != null && !urls.isEmpty()) ? urls.iterator().next().getRawPath()
				: exchange.getRequest().getPath().value();
	}

}
