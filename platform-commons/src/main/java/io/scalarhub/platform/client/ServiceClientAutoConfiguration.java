package io.scalarhub.platform.client;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.scalarhub.platform.PlatformWebAutoConfiguration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * Service-to-service calls: {@link ServiceClients} over Eureka-resolved WebClients and the app's
 * resilience4j registries (made by resilience4j's own Spring Boot auto-configuration from
 * {@code resilience4j.*} properties).
 */
@AutoConfiguration(after = PlatformWebAutoConfiguration.class, afterName = {
		"io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
		"io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration",
		"io.github.resilience4j.springboot3.timelimiter.autoconfigure.TimeLimiterAutoConfiguration",
		"io.github.resilience4j.springboot3.retry.autoconfigure.RetryAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(ServiceIdentityProperties.class)
public class ServiceClientAutoConfiguration {

	@Bean
	ServiceClients serviceClients(LoadBalancedWebClients webClients, CircuitBreakerRegistry circuitBreakers,
			BulkheadRegistry bulkheads, TimeLimiterRegistry timeLimiters, RetryRegistry retries,
			ObjectProvider<ServiceIdentity> identity) {
		return new ServiceClients(webClients, circuitBreakers, bulkheads, timeLimiters, retries,
				identity.getIfAvailable());
	}

	/**
	 * The app's own client-credentials identity, when it has one: Spring Security's OAuth2 client, with an
	 * in-memory registration built from {@link ServiceIdentityProperties}.
	 */
	@Bean
	@ConditionalOnProperty("scalarhub.service-identity.client-id")
	ServiceIdentity serviceIdentity(ServiceIdentityProperties properties,
			ObjectProvider<WebClient.Builder> webClientBuilder) {
		ClientRegistration registration = ClientRegistration.withRegistrationId(ServiceIdentity.REGISTRATION_ID)
			.clientId(properties.clientId())
			.clientSecret(properties.clientSecret())
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scope(ServiceIdentityProperties.INTERNAL_SCOPE)
			.tokenUri(properties.tokenUri())
			.build();
		ReactiveClientRegistrationRepository registrations = new InMemoryReactiveClientRegistrationRepository(registration);
		WebClientReactiveClientCredentialsTokenResponseClient tokens = new WebClientReactiveClientCredentialsTokenResponseClient();
		tokens.setWebClient(webClientBuilder.getIfAvailable(WebClient::builder).build());
		ClientCredentialsReactiveOAuth2AuthorizedClientProvider provider = new ClientCredentialsReactiveOAuth2AuthorizedClientProvider();
		provider.setAccessTokenResponseClient(tokens);
		AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager(
				registrations, new InMemoryReactiveOAuth2AuthorizedClientService(registrations));
		manager.setAuthorizedClientProvider(provider);
		return new ServiceIdentity(manager, properties.clientId());
	}

	@Bean
	ServiceClientProblemMapper serviceClientProblemMapper() {
		return new ServiceClientProblemMapper();
	}

}
