package io.scalarhub.platform;

import io.scalarhub.platform.client.LoadBalancedWebClients;
import io.scalarhub.platform.json.StrictJsonCustomizer;
import io.scalarhub.platform.json.Utf8CheckingJsonDecoder;
import io.scalarhub.platform.paging.PageQueryArgumentResolver;
import io.scalarhub.platform.problem.DatabaseProblemMapper;
import io.scalarhub.platform.problem.ProblemExceptionHandler;
import io.scalarhub.platform.problem.ProblemMapper;
import io.scalarhub.platform.problem.ProblemWriter;
import io.scalarhub.platform.tenancy.TenantWebFilter;
import io.scalarhub.platform.web.QueryControlCharacterWebFilter;
import io.scalarhub.platform.web.RequestCorrelationWebFilter;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * The request-path mechanisms every ScalarHub WebFlux app shares: problem details for every error,
 * request and trace ids, strict JSON, the paging parameters, and Eureka-resolved WebClients.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class PlatformWebAutoConfiguration {

	@Bean
	StrictJsonCustomizer strictJsonCustomizer() {
		return new StrictJsonCustomizer();
	}

	/** After Boot's own Jackson codec customizer, so that this decoder is the one that reads JSON bodies. */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	CodecCustomizer utf8CheckingJsonCodecCustomizer(JsonMapper jsonMapper) {
		return (configurer) -> configurer.defaultCodecs().jacksonJsonDecoder(new Utf8CheckingJsonDecoder(jsonMapper));
	}

	@Bean
	ProblemWriter problemWriter(JsonMapper jsonMapper) {
		return new ProblemWriter(jsonMapper);
	}

	@Bean
	ProblemExceptionHandler problemExceptionHandler(ProblemWriter problemWriter,
			ObjectProvider<ProblemMapper> problemMappers) {
		return new ProblemExceptionHandler(problemWriter, problemMappers.orderedStream().toList());
	}

	@Bean
	RequestCorrelationWebFilter requestCorrelationWebFilter() {
		return new RequestCorrelationWebFilter();
	}

	@Bean
	QueryControlCharacterWebFilter queryControlCharacterWebFilter() {
		return new QueryControlCharacterWebFilter();
	}

	@Bean
	TenantWebFilter tenantWebFilter(ProblemWriter problemWriter) {
		return new TenantWebFilter(problemWriter);
	}

	@Bean
	WebFluxConfigurer pageQueryWebFluxConfigurer() {
		return new WebFluxConfigurer() {
			@Override
			public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
				configurer.addCustomResolver(new PageQueryArgumentResolver());
			}
		};
	}

	@Bean
	LoadBalancedWebClients loadBalancedWebClients(ReactiveLoadBalancer.Factory<ServiceInstance> loadBalancerFactory,
			ObjectProvider<WebClient.Builder> webClientBuilder) {
		return new LoadBalancedWebClients(loadBalancerFactory, webClientBuilder.getIfAvailable(WebClient::builder));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.r2dbc.spi.R2dbcException")
	static class DatabaseProblems {

		@Bean
		DatabaseProblemMapper databaseProblemMapper() {
			return new DatabaseProblemMapper();
		}

	}

}
