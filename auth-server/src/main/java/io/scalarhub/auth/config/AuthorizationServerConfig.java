package io.scalarhub.auth.config;

import java.time.Clock;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.scalarhub.auth.clients.RegisteredClients;
import io.scalarhub.auth.keys.SigningKeyProperties;
import io.scalarhub.auth.keys.SigningKeyRepository;
import io.scalarhub.auth.keys.SigningKeySet;
import io.scalarhub.auth.keys.SigningKeys;
import io.scalarhub.auth.keys.SigningKeysEndpoint;
import io.scalarhub.auth.tokens.AccessTokenClaims;
import io.scalarhub.auth.tokens.ExpiredAuthorizationPurge;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The authorization server's parts, all from {@link AuthServerProperties}: who the clients are, which issuer
 * tokens name, which key signs them and what they carry. Spring's authorization-server configurer picks each
 * of these beans up.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
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

	/**
	 * The key set shared by every instance (PostgreSQL), read at start (a configured PEM key seeds an empty set)
	 * and again every refresh interval, rotating when due.
	 */
	@Bean
	SigningKeySet signingKeySet(JdbcTemplate jdbc, TransactionTemplate transactions, AuthServerProperties properties,
			SigningKeyProperties keys) {
		SigningKeySet set = new SigningKeySet(new SigningKeyRepository(jdbc, transactions), keys,
				properties.accessTokenTtl(), Clock.systemUTC());
		set.initialise((properties.signingKey() != null) ? SigningKeys.fromPem(properties.signingKey()) : null);
		return set;
	}

	/** Published at {@code /oauth2/jwks}: the public keys of every token that may still be valid. */
	@Bean
	JWKSource<SecurityContext> jwkSource(SigningKeySet keys) {
		return (selector, context) -> selector.select(new JWKSet(keys.publishedKeys()));
	}

	/** Signs with the current key only (the published set may hold several, and one must be chosen). */
	@Bean
	JwtEncoder jwtEncoder(SigningKeySet keys) {
		return new NimbusJwtEncoder((selector, context) -> selector.select(new JWKSet(keys.signingKey())));
	}

	@Bean
	SigningKeysEndpoint signingKeysEndpoint(SigningKeySet keys) {
		return new SigningKeysEndpoint(keys);
	}

	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> accessTokenClaims(AuthServerProperties properties) {
		return new AccessTokenClaims(properties.audience());
	}

	/**
	 * Every issued authorization in the auth database (migration V2), for token introspection and revocation: one
	 * store for every instance, so that each answers for tokens another issued, and none holds them in its heap.
	 */
	@Bean
	OAuth2AuthorizationService authorizationService(JdbcTemplate jdbc, RegisteredClientRepository clients) {
		return new JdbcOAuth2AuthorizationService(jdbc, clients);
	}

	@Bean
	ExpiredAuthorizationPurge expiredAuthorizationPurge(JdbcTemplate jdbc) {
		return new ExpiredAuthorizationPurge(jdbc);
	}

	@Bean
	InstanceSchedules instanceSchedules(SigningKeySet keys, SigningKeyProperties keyProperties,
			ExpiredAuthorizationPurge purge, AuthServerProperties properties) {
		return new InstanceSchedules(keys, keyProperties, purge, properties);
	}

}
