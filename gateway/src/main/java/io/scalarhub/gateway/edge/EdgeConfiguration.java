package io.scalarhub.gateway.edge;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.WebFilter;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EdgeProperties.class)
class EdgeConfiguration {

	@Bean
	RequestBodyLimitWebFilter requestBodyLimitWebFilter(EdgeProperties properties) {
		return new RequestBodyLimitWebFilter(properties.maxBodySize().toBytes());
	}

	@Bean
	RequestIdHeadersFilter requestIdHeadersFilter() {
		return new RequestIdHeadersFilter();
	}

	/**
	 * CORS before the token check: a browser's preflight carries no token and must not be a 401. The
	 * gateway's route-level CORS support comes too late for that (after security), hence a web filter.
	 */
	@Bean
	WebFilter corsWebFilter(EdgeProperties properties) {
		EdgeProperties.Cors cors = properties.cors();
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		if (!cors.allowedOrigins().isEmpty()) {
			CorsConfiguration configuration = new CorsConfiguration();
			configuration.setAllowedOriginPatterns(cors.allowedOrigins());
			configuration.addAllowedMethod("*");
			configuration.setAllowedHeaders(cors.allowedHeaders());
			configuration.setExposedHeaders(cors.exposedHeaders());
			configuration.setMaxAge(cors.maxAge());
			// bearer tokens, not cookies: credentials mode stays off
			configuration.setAllowCredentials(false);
			source.registerCorsConfiguration("/**", configuration);
		}
		return new OrderedCorsWebFilter(source);
	}

	static final class OrderedCorsWebFilter extends CorsWebFilter implements Ordered {

		OrderedCorsWebFilter(UrlBasedCorsConfigurationSource source) {
			super(source);
		}

		@Override
		public int getOrder() {
			return RequestBodyLimitWebFilter.ORDER + 1;
		}

	}

}
