package io.scalarhub.auth.config;

import java.util.List;

import io.scalarhub.auth.tokens.ClientScopesByDefault;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationServerMetadata;
import org.springframework.security.oauth2.server.authorization.oidc.OidcProviderConfiguration;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2ClientCredentialsAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;

/**
 * Two filter chains. Declaring any chain switches Spring Boot's default authorization-server chain off, so
 * both are declared here: the authorization server's endpoints, then everything else, which is closed. No sessions, no login pages: every caller is a machine.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

	/** Token, JWKS and metadata endpoints (OIDC on, so that the OpenID metadata is published too). */
	@Bean
	@Order(1)
	SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http) throws Exception {
		http.oauth2AuthorizationServer((authorizationServer) -> {
			http.securityMatcher(authorizationServer.getEndpointsMatcher());
			authorizationServer
				.tokenEndpoint((tokenEndpoint) -> tokenEndpoint
					.accessTokenRequestConverters(SecurityConfig::grantClientScopesByDefault))
				.authorizationServerMetadataEndpoint((metadata) -> metadata
					.authorizationServerMetadataCustomizer(SecurityConfig::advertiseClientCredentialsOnly))
				.oidc((oidc) -> oidc.providerConfigurationEndpoint((metadata) -> metadata
					.providerConfigurationCustomizer(SecurityConfig::advertiseClientCredentialsOnly)));
		})
			// the token endpoint authenticates the client itself (401 invalid_client); this covers requests
			// without any credentials and endpoints such as userinfo that client-credentials tokens never reach
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.exceptionHandling((exceptions) -> exceptions
				.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
		return http.build();
	}

	/**
	 * Everything else on the server port is 401. (The management port has its own chain, ahead of these:
	 * platform-management's, probes for anyone and the rest for the operator.)
	 */
	@Bean
	@Order(2)
	SecurityFilterChain everythingElseSecurityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.anyRequest().denyAll())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.exceptionHandling((exceptions) -> exceptions
				.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
		return http.build();
	}

	private static void grantClientScopesByDefault(List<AuthenticationConverter> converters) {
		converters.replaceAll((converter) -> (converter instanceof OAuth2ClientCredentialsAuthenticationConverter)
				? new ClientScopesByDefault(converter) : converter);
	}

	/**
	 * The metadata names only what registered clients can use: the client-credentials grant, with the secret
	 * in the Authorization header or in the form (at the token, introspection and revocation endpoints alike).
	 */
	private static void advertiseClientCredentialsOnly(OAuth2AuthorizationServerMetadata.Builder metadata) {
		metadata.grantTypes(SecurityConfig::clientCredentialsOnly)
			.tokenEndpointAuthenticationMethods(SecurityConfig::clientSecretOnly)
			.tokenIntrospectionEndpointAuthenticationMethods(SecurityConfig::clientSecretOnly)
			.tokenRevocationEndpointAuthenticationMethods(SecurityConfig::clientSecretOnly);
	}

	private static void advertiseClientCredentialsOnly(OidcProviderConfiguration.Builder metadata) {
		metadata.grantTypes(SecurityConfig::clientCredentialsOnly)
			.tokenEndpointAuthenticationMethods(SecurityConfig::clientSecretOnly)
			.tokenIntrospectionEndpointAuthenticationMethods(SecurityConfig::clientSecretOnly)
			.tokenRevocationEndpointAuthenticationMethods(SecurityConfig::clientSecretOnly);
	}

	private static void clientCredentialsOnly(List<String> grantTypes) {
		grantTypes.clear();
		grantTypes.add(AuthorizationGrantType.CLIENT_CREDENTIALS.getValue());
	}

	private static void clientSecretOnly(List<String> methods) {
		methods.clear();
		methods.add(ClientAuthenticationMethod.CLIENT_SECRET_BASIC.getValue());
		methods.add(ClientAuthenticationMethod.CLIENT_SECRET_POST.getValue());
	}

}
