package io.scalarhub.auth.config;

import java.time.Clock;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.scalarhub.auth.clients.RegisteredClients;
import io.scalarhub.auth.keys.SigningKeys;
import io.scalarhub.auth.tokens.AccessTokenClaims;
import io.scalarhub.auth.tokens.ExpiringAuthorizationService;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * The authorization server's parts, all from {@link AuthServerProperties}: who the clients are, which issuer
 * tokens name, which key signs them and what they carry. Spring's authorization-server configurer picks each
 * of these beans up.
 */
@Configuration(proxyBeanMethods = false)
public class AuthorizationServerConfig {

	@Bean
	RegisteredClientRepository registeredClientRepository(AuthServerProperties properties) {
		return new InMemoryRegisteredClientRepository(RegisteredClients.from(properties));
	}

	/** A fixed issuer: the gateway's public URL, whichever address a request reached this server at. */
	@Bean
	AuthorizationServerSettings authorizationServerSettings(AuthServerProperties properties) {
		return AuthorizationServerSettings.builder().issuer(properties.issuer()).build();
	}

	/** Signs tokens, and is published (public part only) at {@code /oauth2/jwks}. */
	@Bean
	JWKSource<SecurityContext> jwkSource(AuthServerProperties properties) {
		return new ImmutableJWKSet<>(new JWKSet(SigningKeys.configuredOrGenerated(properties.signingKey())));
	}

	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> accessTokenClaims(AuthServerProperties properties) {
		return new AccessTokenClaims(properties.audience());
	}

	@Bean
	OAuth2AuthorizationService authorizationService() {
		return new ExpiringAuthorizationService(Clock.systemUTC());
	}

}
