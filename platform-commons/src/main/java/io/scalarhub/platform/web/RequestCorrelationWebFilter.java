package io.scalarhub.platform.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.scalarhub.platform.tenancy.TenantWebFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request an {@code X-Request-Id} (the client's own if sane, else a new one), passes it on to
 * whatever handles the request (an exchange attribute and a Reactor context entry: {@code CallerContextRelay} sends
 * it on a service's calls, the gateway's {@code RequestIdHeadersFilter} to the service it routes to), and
 * stamps it and the W3C trace id on every response, errors included. Runs first so that even a 401 from security
 * carries both.
 * <p>
 * When the request completes it writes one line to the {@code io.scalarhub.request} logger (INFO; set that
 * logger to WARN to turn it off) with {@code requestId}, {@code clientId}, {@code tenantId}, {@code traceId} and
 * {@code spanId} in the MDC, so the structured (JSON) log carries them as fields. The line holds the method,
 * the path without its query, the status and the duration: never a header, a query string or a body.
 */
public class RequestCorrelationWebFilter implements WebFilter, Ordered {

	private static final Logger requestLog = LoggerFactory.getLogger("io.scalarhub.request");

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		String requestId = RequestCorrelation
			.acceptOrGenerate(request.getHeaders().getFirst(RequestCorrelation.REQUEST_ID_HEADER));
		// an attribute, not a rewritten request: a mutated request copies every header and wraps the exchange that
		// every later filter reads through; whoever forwards the request sets the header from here
		exchange.getAttributes().put(RequestCorrelation.REQUEST_ID_ATTRIBUTE, requestId);
		exchange.getResponse().beforeCommit(() -> {
			exchange.getResponse().getHeaders().set(RequestCorrelation.REQUEST_ID_HEADER, requestId);
			traceId(exchange).ifPresent(
					(traceId) -> exchange.getResponse().getHeaders().set(RequestCorrelation.TRACE_ID_HEADER, traceId));
			return Mono.empty();
		});
		// in the Reactor context too, for service calls made on the request's behalf (CallerContextRelay)
		Mono<Void> handled = chain.filter(exchange)
			.contextWrite((context) -> context.put(RequestCorrelation.REQUEST_ID_ATTRIBUTE, requestId));
		if (!requestLog.isInfoEnabled()) {
			return handled;
		}
		long started = System.nanoTime();
		return handled.doFinally((signal) -> logCompletion(exchange, requestId, started));
	}

	private static void logCompletion(ServerWebExchange exchange, String requestId, long started) {
		Optional<Span> span = span(exchange);
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("requestId", requestId);
		fields.put("clientId", exchange.getAttribute(TenantWebFilter.CLIENT_ID_ATTRIBUTE));
		fields.put("tenantId", exchange.getAttribute(TenantWebFilter.TENANT_ATTRIBUTE));
		fields.put("traceId", span.map((s) -> s.context().traceId()).orElse(null));
		fields.put("spanId", span.map((s) -> s.context().spanId()).orElse(null));
		fields.values().removeIf(Objects::isNull);
		fields.forEach(MDC::put);
		try {
			ServerHttpRequest request = exchange.getRequest();
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			requestLog.info("{} {} {} {}ms", request.getMethod(), request.getPath().value(),
					(status != null) ? status.value() : "-", (System.nanoTime() - started) / 1_000_000);
		}
		finally {
			fields.keySet().forEach(MDC::remove);
		}
	}

	/** The trace id of the server observation WebFlux opened for this request, if tracing is on. */
	private static Optional<String> traceId(ServerWebExchange exchange) {
		return span(exchange).map((span) -> span.context().traceId()).filter((traceId) -> !traceId.isEmpty());
	}

	/** The span of the server observation WebFlux opened for this request, if tracing is on. */
	private static Optional<Span> span(ServerWebExchange exchange) {
		return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
			.map((context) -> (TracingObservationHandler.TracingContext) context
				.get(TracingObservationHandler.TracingContext.class))
			.map(TracingObservationHandler.TracingContext::getSpan);
	}

}
