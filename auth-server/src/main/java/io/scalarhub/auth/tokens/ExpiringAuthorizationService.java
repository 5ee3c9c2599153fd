package io.scalarhub.auth.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.util.Assert;

/**
 * Keeps each issued authorization in memory until its tokens expire, for token introspection and revocation.
 * <p>
 * Spring's {@code InMemoryOAuth2AuthorizationService} keeps every completed authorization for good: with the
 * client-credentials grant that is one entry per token ever issued, a heap that only grows. Access tokens are
 * self-contained JWTs that the gateway and services verify by signature, so nothing needs an authorization
 * past its expiry. Expired entries are dropped while saving new ones, at most once per {@link #PURGE_INTERVAL}.
 */
public class ExpiringAuthorizationService implements OAuth2AuthorizationService {

	static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);

	private final Map<String, OAuth2Authorization> authorizationsById = new ConcurrentHashMap<>();

	private final Clock clock;

	private volatile Instant nextPurge;

	public ExpiringAuthorizationService(Clock clock) {
		this.clock = clock;
		this.nextPurge = clock.instant().plus(PURGE_INTERVAL);
	}

	@Override
	public void save(OAuth2Authorization authorization) {
		Assert.notNull(authorization, "authorization cannot be null");
		purgeExpiredWhenDue();
		this.authorizationsById.put(authorization.getId(), authorization);
	}

	@Override
	public void remove(OAuth2Authorization authorization) {
		Assert.notNull(authorization, "authorization cannot be null");
		this.authorizationsById.remove(authorization.getId());
	}

	@Override
	public @Nullable OAuth2Authorization findById(String id) {
		OAuth2Authorization authorization = this.authorizationsById.get(id);
		return (authorization != null && !isExpired(authorization, this.clock.instant())) ? authorization : null;
	}

	@Override
	public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
		Instant now = this.clock.instant();
		return this.authorizationsById.values()
			.stream()
			.filter((authorization) -> !isExpired(authorization, now) && holds(authorization, token, tokenType))
			.findFirst()
			.orElse(null);
	}

	/** How many authorizations are held, expired ones not yet purged included. */
	int size() {
		return this.authorizationsById.size();
	}

	private void purgeExpiredWhenDue() {
		Instant now = this.clock.instant();
		if (now.isBefore(this.nextPurge)) {
			return;
		}
		this.nextPurge = now.plus(PURGE_INTERVAL);
		this.authorizationsById.values().removeIf((authorization) -> isExpired(authorization, now));
	}

	/** Expired once none of its tokens is valid any longer; one without an expiring token is of no use. */
	private static boolean isExpired(OAuth2Authorization authorization, Instant now) {
		return Stream.of(authorization.getAccessToken(), authorization.getRefreshToken())
			.filter((token) -> token != null && token.getToken().getExpiresAt() != null)
			.noneMatch((token) -> now.isBefore(token.getToken().getExpiresAt()));
	}

	private static boolean holds(OAuth2Authorization authorization, String tokenValue,
			@Nullable OAuth2TokenType tokenType) {
		OAuth2Authorization.Token<OAuth2Token> token = authorization.getToken(tokenValue);
		if (token == null) {
			return false;
		}
		if (tokenType == null) {
			return true;
		}
		if (OAuth2TokenType.ACCESS_TOKEN.equals(tokenType)) {
			return token.getToken() instanceof OAuth2AccessToken;
		}
		if (OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
			return token.getToken() instanceof OAuth2RefreshToken;
		}
		// authorization codes, state and ID tokens belong to grants this server does not offer
		return false;
	}

}
