package io.scalarhub.platform.access;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;

/**
 * The management port of every app: the health probes answer anyone with a bare status (the launcher,
 * Kubernetes and load balancers need no secret); health details, Prometheus and every other exposed endpoint
 * need the operator's credentials ({@link ManagementAccessProperties}). The chain matches management endpoints
 * only and comes first, so an app's own chains never see those paths.
 */
@AutoConfiguration(before = { ReactiveManagementWebSecurityAutoConfiguration.class,
		ManagementWebSecurityAutoConfiguration.class },
		afterName = "io.scalarhub.platform.security.PlatformSecurityAutoConfiguration")
@EnableConfigurationProperties(ManagementAccessProperties.class)
public class ManagementSecurityAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@EnableWebFluxSecurity
	static class Reactive {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		SecurityWebFilterChain managementSecurityFilterChain(ServerHttpSecurity http,
				ManagementAccessProperties access) {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.csrf(ServerHttpSecurity.CsrfSpec::disable)
				.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
				.logout(ServerHttpSecurity.LogoutSpec::disable)
				.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
				.httpBasic((basic) -> basic.authenticationManager(
						BasicCredentials.reactive(access.username(), access.password())))
				.authorizeExchange((exchanges) -> exchanges
					.matchers(EndpointRequest.to(HealthEndpoint.class))
					.permitAll()
					.anyExchange()
					.authenticated());
			return http.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class Servlet {


		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		SecurityFilterChain managementSecurityFilterChain(HttpSecurity http, ManagementAccessProperties access)
				throws Exception {
			http.securityMatcher(
					org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest.toAnyEndpoint())
				.csrf((csrf) -> csrf.disable())
				.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.authenticationManager(BasicCredentials.servlet(access.username(), access.password()))
				.httpBasic((basic) -> {
				})
				.authorizeHttpRequests((requests) -> requests
					.requestMatchers(org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest
						.to(HealthEndpoint.class))
					.permitAll()
					.anyRequest()
					.authenticated());
			return http.build();
		}

		/**
		 * No app-wide users: every door checks its own credentials in its own chain. Without this bean Boot
		 * would create a user with a generated password (and log it).
		 */
		@Bean
		@ConditionalOnMissingBean(UserDetailsService.class)
		UserDetailsService noAppWideUsers() {
			return new InMemoryUserDetailsManager();
		}

	}

}
