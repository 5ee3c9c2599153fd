package io.scalarhub.gateway.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.scalarhub.platform.problem.ProblemWriter;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.RetryGatewayFilterFactory;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

@Configuration(proxyBeanMethods = false)
class ResilienceConfiguration {

	@Bean
	IdempotentRetryGatewayFilterFactory idempotentRetryGatewayFilterFactory(RetryGatewayFilterFactory retry,
			MeterRegistry meters) {
		return new IdempotentRetryGatewayFilterFactory(retry, meters);
	}

	@Bean
	RouterFunction<ServerResponse> circuitBreakerFallbackRoute(CircuitBreakerRegistry breakers,
			ProblemWriter problems) {
		CircuitBreakerFallback fallback = new CircuitBreakerFallback(breakers, problems);
		return RouterFunctions.route(RequestPredicates.path(CircuitBreakerFallback.PATH), fallback::handle);
	}

	/**
	 * Records the URL the client asked for, before any filter rewrites or forwards it, where the gateway keeps
	 * original URLs: a fallback's problem then names the client's path, not the forward's.
	 */
	@Bean
	OriginalRequestUrlFilter originalRequestUrlFilter() {
		return new OriginalRequestUrlFilter();
	}

	static final class OriginalRequestUrlFilter implements GlobalFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			ServerWebExchangeUtils.addOriginalRequestUrl(exchange, exchange.getRequest().getURI());
			return chain.filter(exchange);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

	@Bean
	UpstreamObservationConvention upstreamObservationConvention() {
		return new UpstreamObservationConvention();
	}

	/**
	 * The routes' breakers come through Spring Cloud CircuitBreaker, which tags their meters with a
	 * {@code group}; the limiter's breaker comes straight from resilience4j, without. Prometheus accepts one
	 * tag set per name and would drop one of them: the group (always the breaker's name here) goes.
	 */
	@Bean
	MeterFilter resilience4jWithoutGroupTag() {
		return new MeterFilter() {
			@Override
			public Meter.Id map(Meter.Id id) {
				return id.getName().startsWith("resilience4j") && id.getTag("group") != null
						? id.replaceTags(id.getTags().stream().filter((tag) -> !"group".equals(tag.getKey())).toList())
						: id;
			}
		};
	}

}
