package io.scalarhub.gateway.edge;

import io.scalarhub.platform.web.RequestCorrelation;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends the request's id ({@code RequestCorrelationWebFilter} keeps it as an exchange attribute) to the service as
 * {@code X-Request-Id}, in place of whatever the client sent: the id the client gets back is the one in the
 * service's log. Last of the header filters, so it writes into the copy that SCG's hop-by-hop filter has already
 * made rather than copying the headers once more.
 */
final class RequestIdHeadersFilter implements HttpHeadersFilter, Ordered {

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		String requestId = RequestCorrelation.requestId(exchange);
		if (requestId == null) {
			return input;
		}
		// the request's own headers are read-only; every filter that changes headers returns a new, writable set
		HttpHeaders headers = (input == exchange.getRequest().getHeaders()) ? HttpHeaders.copyOf(input) : input;
		headers.set(RequestCorrelation.REQUEST_ID_HEADER, requestId);
		return headers;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
