package io.scalarhub.platform.client;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.Problem;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Calls one downstream service by its Eureka name, with the resilience every such call needs: a time limit
 * per attempt, a bulkhead, a circuit breaker, and retries with exponential backoff and jitter for
 * idempotent calls only (GET, PUT, POST with an Idempotency-Key). Their settings are resilience4j's own
 * ({@code resilience4j.<kind>.instances.<service>}, defaults in scalarhub-platform-defaults.yml).
 * <p>
 * A 404 is an empty result; another 4xx is a {@link DownstreamRejectedException}; anything that makes the
 * downstream unusable ends as a {@link ServiceUnavailableException}, fast, never a hang.
 */
public class ServiceClient {

	private final String service;

	private final WebClient webClient;

	private final CircuitBreaker circuitBreaker;

	private final Bulkhead bulkhead;

	private final TimeLimiter timeLimiter;

	private final Retry retry;

	ServiceClient(String service, WebClient webClient, CircuitBreaker circuitBreaker, Bulkhead bulkhead,
			TimeLimiter timeLimiter, Retry retry) {
		this.service = service;
		this.webClient = webClient;
		this.circuitBreaker = circuitBreaker;
		this.bulkhead = bulkhead;
		this.timeLimiter = timeLimiter;
		this.retry = retry;
	}

	public String service() {
		return this.service;
	}

	public CircuitBreaker circuitBreaker() {
		return this.circuitBreaker;
	}

	/** GET: empty when the downstream answers 404. Retried. */
	public <T> Mono<T> get(Class<T> type, String uriTemplate, Object... uriVariables) {
		return call(HttpMethod.GET, null, null, type, uriTemplate, uriVariables);
	}

	/** PUT replaces a resource whole, so it is idempotent and retried; a 404 is a failure, never empty. */
	public <T> Mono<T> put(Object body, Class<T> type, String uriTemplate, Object... uriVariables) {
		return call(HttpMethod.PUT, body, null, type, uriTemplate, uriVariables);
	}

	/** POST: retried only when it carries an idempotency key, never otherwise; a 404 is a failure, never empty. */
	public <T> Mono<T> post(Object body, String idempotencyKey, Class<T> type, String uriTemplate,
			Object... uriVariables) {
		return call(HttpMethod.POST, body, idempotencyKey, type, uriTemplate, uriVariables);
	}

	private <T> Mono<T> call(HttpMethod method, Object body, String idempotencyKey, Class<T> type, String uriTemplate,
			Object[] uriVariables) {
		boolean idempotent = method != HttpMethod.POST || idempotencyKey != null;
		Mono<T> attempt = Mono.defer(() -> {
			WebClient.RequestBodySpec request = this.webClient.method(method)
				.uri("http://" + this.service + uriTemplate, uriVariables);
			if (idempotencyKey != null) {
				request.header("Idempotency-Key", idempotencyKey);
			}
			WebClient.RequestHeadersSpec<?> spec = (body != null) ? request.bodyValue(body) : request;
			return spec.exchangeToMono((response) -> read(method, response, type));
		}).onErrorMap(ServiceClient::isFailureOfTheDownstream,
				(error) -> new DownstreamFailureException(this.service + " failed: " + error, error))
			.transformDeferred(TimeLimiterOperator.of(this.timeLimiter))
			.onErrorMap(TimeoutException.class,
					(error) -> new DownstreamFailureException(this.service + " did not answer in time", error))
			.transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
			.transformDeferred(BulkheadOperator.of(this.bulkhead));
		if (idempotent) {
			attempt = attempt.transformDeferred(RetryOperator.of(this.retry));
		}
		return attempt.onErrorMap(ServiceClient::makesTheDownstreamUnavailable, this::unavailable);
	}

	private <T> Mono<T> read(HttpMethod method, ClientResponse response, Class<T> type) {
		HttpStatus status = HttpStatus.resolve(response.statusCode().value());
		if (response.statusCode().is2xxSuccessful()) {
			return response.bodyToMono(type);
		}
		// a read of something that is not there is empty; a write to an address that is not there did nothing, and
		// an empty answer would let the caller go on as if it had (an account without its ledger account, say): it is
		// the downstream's failure (a wrong or stale address answers 404), retried like one
		if (status == HttpStatus.NOT_FOUND) {
			return response.releaseBody()
				.then((method == HttpMethod.GET) ? Mono.empty()
						: Mono.error(new DownstreamFailureException(
								this.service + " answered 404 to " + method + " " + response.request().getURI().getPath(),
								null)));
		}
		if (response.statusCode().is4xxClientError()) {
			return response.bodyToMono(Problem.class)
				.onErrorResume((unreadable) -> Mono.empty())
				.defaultIfEmpty(new Problem(null, null, response.statusCode().value(), null, null, null, null))
				.flatMap((problem) -> Mono.error(new DownstreamRejectedException(toApiProblem(response, problem))));
		}
		return response.releaseBody()
			.then(Mono.error(new DownstreamFailureException(
					this.service + " answered " + response.statusCode().value(), null)));
	}

	private static ApiProblem toApiProblem(ClientResponse response, Problem problem) {
		HttpStatus status = HttpStatus.valueOf(response.statusCode().value());
		return new ApiProblem(status, orElse(problem.type(), "about:blank"), orElse(problem.title(), status.getReasonPhrase()),
				orElse(problem.detail(), "Refused by a service this request depends on."),
				(problem.errors() != null) ? problem.errors() : List.of(), Map.of());
	}

	private static String orElse(String value, String fallback) {
		return (value != null) ? value : fallback;
	}

	/** Connection refused or reset: the downstream's failure (no instance at all comes back as a 503). */
	private static boolean isFailureOfTheDownstream(Throwable error) {
		return error instanceof WebClientRequestException || error instanceof ConnectException;
	}

	private static boolean makesTheDownstreamUnavailable(Throwable error) {
		return error instanceof DownstreamFailureException || error instanceof CallNotPermittedException
				|| error instanceof BulkheadFullException;
	}

	/** An open circuit says how long it stays open; anything else may be retried after a second. */
	private Throwable unavailable(Throwable error) {
		long retryAfterMillis = (error instanceof CallNotPermittedException)
				? this.circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1) : 1000;
		return new ServiceUnavailableException(this.service, (int) Math.max(1, retryAfterMillis / 1000), error);
	}

}
