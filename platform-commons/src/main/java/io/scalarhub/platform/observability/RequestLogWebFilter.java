package io.scalarhub.platform.observability;

import java.security.Principal;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs after Spring Security's filter chain and notes the authenticated API client in the exchange, for the
 * request's log line ({@code clientId}). Only the principal's name (the token's subject: the client id) is
 * kept, never the token.
 */
public class RequestLogWebFilter implements WebFilter, Ordered {

	/** Exchange attribute holding the API client id once security has authenticated the request. */
	public static final String CLIENT_ID_ATTRIBUTE = RequestLogWebFilter.class.getName() + ".clientId";

	@Override
	public int getOrder() {
		// Spring Security's WebFilterChainProxy runs at -100
		return 0;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return exchange.getPrincipal()
			.map(Principal::getName)
			.doOnNext((clientId) -> exchange.getAttributes().put(CLIENT_ID_ATTRIBUTE, clientId))
			.then(chain.filter(exchange));
	}

}
