package io.scalarhub.platform.security;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.scalarhub.platform.client.ServiceIdentityProperties;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import io.scalarhub.platform.problem.ProblemWriter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Every app is an OAuth2 resource server: a request without a valid token from the platform's issuer is a
 * 401, one without the scope its path and method need is a 403 (defence in depth: services check again
 * what the gateway checked). Management endpoints are not this chain's: platform-management's chain,
 * ahead of this one, guards them with the operator's credentials.
 */
@AutoConfiguration(before = { ReactiveWebSecurityAutoConfiguration.class,
		ReactiveManagementWebSecurityAutoConfiguration.class, ReactiveOAuth2ResourceServerAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableWebFluxSecurity
@EnableConfigurationProperties({ ResourceServerProperties.class, TokenCacheProperties.class })
public class PlatformSecurityAutoConfiguration {

	/** Where an app publishes its OpenAPI document (springdoc): public, as the API itself is documented. */
	public static final String[] API_DOCS_PATHS = { "/v3/api-docs", "/v3/api-docs/**" };

	/** Where services offer each other what is not part of the public API. */
	public static final String INTERNAL_PATHS = "/internal/**";

	@Bean
	@ConditionalOnMissingBean
	ReactiveJwtDecoder jwtDecoder(ResourceServerProperties properties, TokenCacheProperties tokenCache,
			ObjectProvider<WebClient.Builder> webClientBuilder) {
		// the key set from the configured location only (ResourceServerProperties refuses a registry name)
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(properties.jwkSetUri())
			.webClient(webClientBuilder.getIfAvailable(WebClient::builder).build())
			.build();
		// issuer, time window, and the audience: a token the platform's auth-server issued for anything but this
		// API is refused
		decoder.setJwtValidator(TokenValidation.validator(properties.issuer(), properties.audience(), Clock.systemUTC()));
		// a client sends one token for its whole lifetime: verify it once per app, not once per request
		return tokenCache.enabled() ? new CachingReactiveJwtDecoder(decoder, tokenCache) : decoder;
	}

	/** Hits and misses of the verified-token cache, where the decoder is the platform's caching one. */
	@Bean
	MeterBinder verifiedTokenCacheMetrics(ObjectProvider<ReactiveJwtDecoder> jwtDecoder) {
		return (registry) -> jwtDecoder.ifUnique((decoder) -> {
			if (decoder instanceof CachingReactiveJwtDecoder caching) {
				caching.monitor(registry);
			}
		});
	}

	@Bean
	ProblemSecurityHandlers problemSecurityHandlers(ProblemWriter problemWriter) {
		return new ProblemSecurityHandlers(problemWriter);
	}

	/**
	 * A request Spring Security's firewall refuses (an encoded NUL, slash, backslash or dot-segment in the path,
	 * say) is a 400 problem like every other error, not a bare 400 without a body.
	 */
	@Bean
	ServerExchangeRejectedHandler problemExchangeRejectedHandler(ProblemWriter problemWriter) {
		return (exchange, rejected) -> problemWriter.write(exchange, new ApiProblem(HttpStatus.BAD_REQUEST,
				ProblemTypes.MALFORMED, "Bad request",
				"The request path is not acceptable: encoded slashes, dot-segments and control characters are refused.",
				List.of(), Map.of()));
	}

	/**
	 * Spring Security's strict firewall, as WebFlux security installs by default, with the same character rules
	 * checked without a regex on every header read (FirewallCharacterRules).
	 */
	@Bean
	@ConditionalOnMissingBean
	ServerWebExchangeFirewall platformFirewall() {
		return FirewallCharacterRules.strictFirewall();
	}

	@Bean
	@ConditionalOnMissingBean(SecurityWebFilterChain.class)
	SecurityWebFilterChain platformSecurityFilterChain(ServerHttpSecurity http, ResourceServerProperties properties,
			ReactiveJwtDecoder jwtDecoder, ProblemSecurityHandlers problemHandlers) {
		http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			// stateless API: no session, nothing saved for a later redirect
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.exceptionHandling((handling) -> handling.authenticationEntryPoint(problemHandlers)
				.accessDeniedHandler(problemHandlers))
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt((jwt) -> jwt.jwtDecoder(jwtDecoder))
				.bearerTokenConverter(new BearerTokenHeaderConverter())
				.authenticationEntryPoint(problemHandlers)
				.accessDeniedHandler(problemHandlers))
			.authorizeExchange((exchanges) -> {
				exchanges.pathMatchers(HttpMethod.GET, API_DOCS_PATHS).permitAll();
				if (!properties.publicPaths().isEmpty()) {
					exchanges.pathMatchers(properties.publicPaths().toArray(String[]::new)).permitAll();
				}
				// service-to-service endpoints: a platform service's own token only (scope internal, which no API
				// client is ever granted); an API client's token is 403 here (the gateway never routes them either)
				exchanges.pathMatchers(INTERNAL_PATHS).hasAuthority("SCOPE_" + ServiceIdentityProperties.INTERNAL_SCOPE);
				for (ResourceServerProperties.ScopeRule rule : properties.scopeRules()) {
					String[] paths = rule.paths().toArray(String[]::new);
					exchanges.pathMatchers(HttpMethod.GET, paths).hasAuthority("SCOPE_" + rule.readScope());
					exchanges.pathMatchers(HttpMethod.HEAD, paths).hasAuthority("SCOPE_" + rule.readScope());
					exchanges.pathMatchers(paths).hasAuthority("SCOPE_" + rule.writeScope());
				}
				exchanges.anyExchange().authenticated();
			});
		return http.build();
	}

}
