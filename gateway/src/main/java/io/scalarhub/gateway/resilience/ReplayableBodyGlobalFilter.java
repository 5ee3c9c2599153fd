package io.scalarhub.gateway.resilience;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.AdaptCachedBodyGlobalFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * SCG's body cache for the routes that retry (every route here, through {@code IdempotentRetry}), applied only to
 * requests that have a body. SCG's own filter, which this one replaces
 * ({@code spring.cloud.gateway.server.webflux.global-filter.adapt-cached-body.enabled: false}), caches every request
 * of such a route, an empty body too: each GET subscribed to its body, joined nothing, and went on behind a request
 * and an exchange decorator that every later filter read its attributes through. A retried request with a body still
 * gets it whole on every attempt, read before the route's circuit breaker and bulkhead start counting, as before.
 */
public class ReplayableBodyGlobalFilter extends AdaptCachedBodyGlobalFilter {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		// a predicate that read the body has left its cached request for SCG's filter to adapt
		if (!hasBody(exchange.getRequest().getHeaders())
				&& exchange.getAttribute(ServerWebExchangeUtils.CACHED_SERVER_HTTP_REQUEST_DECORATOR_ATTR) == null) {
			return chain.filter(exchange);
		}
		return super.filter(exchange, chain);
	}

	/** HTTP/1.1 (RFC 9112, 6.3): a request has a body when it declares a length above zero or a transfer coding. */
	static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

}
