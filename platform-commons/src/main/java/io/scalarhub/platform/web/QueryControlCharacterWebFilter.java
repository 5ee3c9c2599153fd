package io.scalarhub.platform.web;

import java.util.List;
import java.util.Map;

import io.scalarhub.platform.problem.ApiProblem;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * A query parameter holding a control character ({@code %00}, {@code %0A}, …) is a 400 naming it. Spring's
 * converters trim such characters away before they parse ({@code active=TRUE%00} read as {@code true},
 * {@code status=%00} as no filter at all), so without this a hostile value would pass as a harmless one.
 */
public class QueryControlCharacterWebFilter implements WebFilter, Ordered {

	/** Right after the request id is set, so that the problem carries it. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		for (Map.Entry<String, List<String>> parameter : exchange.getRequest().getQueryParams().entrySet()) {
			if (hasControlCharacter(parameter.getKey())
					|| parameter.getValue().stream().anyMatch(QueryControlCharacterWebFilter::hasControlCharacter)) {
				return Mono.error(ApiProblem.validation(parameter.getKey().replaceAll("\\p{Cntrl}", "?"),
						"must not hold a control character"));
			}
		}
		return chain.filter(exchange);
	}

	private static boolean hasControlCharacter(String value) {
		return value != null && value.chars().anyMatch((c) -> c < 0x20 || c == 0x7F);
	}

}
