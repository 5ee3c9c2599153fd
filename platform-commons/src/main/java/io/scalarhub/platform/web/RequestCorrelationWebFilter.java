package io.scalarhub.platform.web;

import java.util.Optional;

import io.micrometer.tracing.handler.TracingObservationHandler;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request an {@code X-Request-Id} (the client's own if sane, else a new one), passes it on to
 * whatever handles the request (the gateway forwards it downstream), and stamps it and the W3C trace id on
 * every response, errors included. Runs first so that even a 401 from security carries both.
 */
public class RequestCorrelationWebFilter implements WebFilter, Ordered {

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		String requestId = RequestCorrelation
			.acceptOrGenerate(request.getHeaders().getFirst(RequestCorrelation.REQUEST_ID_HEADER));
		ServerWebExchange correlated = exchange.mutate()
			.request(request.mutate().headers((headers) -> headers.set(RequestCorrelation.REQUEST_ID_HEADER, requestId)).build())
			.build();
		correlated.getAttributes().put(RequestCorrelation.REQUEST_ID_ATTRIBUTE, requestId);
		correlated.getResponse().beforeCommit(() -> {
			correlated.getResponse().getHeaders().set(RequestCorrelation.REQUEST_ID_HEADER, requestId);
			traceId(exchange).ifPresent(
					(traceId) -> correlated.getResponse().getHeaders().set(RequestCorrelation.TRACE_ID_HEADER, traceId));
			return Mono.empty();
		});
		// in the Reactor context too, for service calls made on the request's behalf (CallerContextRelay)
		return chain.filter(correlated)
			.contextWrite((context) -> context.put(RequestCorrelation.REQUEST_ID_ATTRIBUTE, requestId));
	}

	/** The trace id of the server observation WebFlux opened for this request, if tracing is on. */
	private static Optional<String> traceId(ServerWebExchange exchange) {
		return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
			.map((context) -> (TracingObservationHandler.TracingContext) context
				.get(TracingObservationHandler.TracingContext.class))
			.map(TracingObservationHandler.TracingContext::getSpan)
			.map((span) -> span.context().traceId())
			.filter((traceId) -> !traceId.isEmpty());
	}

}
