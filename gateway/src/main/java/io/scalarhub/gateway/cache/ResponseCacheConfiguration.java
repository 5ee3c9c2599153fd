package io.scalarhub.gateway.cache;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@code CacheStatus} filter that goes with {@code LocalResponseCache} on cached routes. */
@Configuration(proxyBeanMethods = false)
class ResponseCacheConfiguration {

	@Bean
	CacheStatusGatewayFilterFactory cacheStatusGatewayFilterFactory() {
		return new CacheStatusGatewayFilterFactory();
	}

	@Bean
	CacheStatusGatewayFilterFactory.UpstreamMarker cacheStatusUpstreamMarker() {
		return new CacheStatusGatewayFilterFactory.UpstreamMarker();
	}

}
