package io.scalarhub.auth.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiringAuthorizationServiceTest {

	static final Duration TOKEN_TTL = Duration.ofMinutes(15);

	final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));

	final ExpiringAuthorizationService service = new ExpiringAuthorizationService(this.clock);

	@Test
	void findsAnAuthorizationByItsAccessTokenUntilItExpires() {
		OAuth2Authorization authorization = authorization("token-1");
		this.service.save(authorization);

		assertThat(this.service.findByToken("token-1", null)).isEqualTo(authorization);
		assertThat(this.service.findByToken("token-1", OAuth2TokenType.ACCESS_TOKEN)).isEqualTo(authorization);
		assertThat(this.service.findByToken("token-1", OAuth2TokenType.REFRESH_TOKEN)).isNull();
		assertThat(this.service.findByToken("token-2", null)).isNull();
		assertThat(this.service.findById(authorization.getId())).isEqualTo(authorization);

		this.clock.advance(TOKEN_TTL);

		assertThat(this.service.findByToken("token-1", null)).isNull();
		assertThat(this.service.findById(authorization.getId())).isNull();
	}

	@Test
	void dropsExpiredAuthorizationsWhileSavingNewOnes() {
		for (int i = 0; i < 100; i++) {
			this.service.save(authorization("old-" + i));
		}
		this.clock.advance(TOKEN_TTL.plus(ExpiringAuthorizationService.PURGE_INTERVAL));

		this.service.save(authorization("new"));

		assertThat(this.service.size()).isEqualTo(1);
		assertThat(this.service.findByToken("new", null)).isNotNull();
	}

	@Test
	void removesARevokedAuthorization() {
		OAuth2Authorization authorization = authorization("token-1");
		this.service.save(authorization);

		this.service.remove(authorization);

		assertThat(this.service.findByToken("token-1", null)).isNull();
	}

	private OAuth2Authorization authorization(String tokenValue) {
		RegisteredClient client = RegisteredClient.withId("client")
			.clientId("client")
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.build();
		Instant issuedAt = this.clock.instant();
		return OAuth2Authorization.withRegisteredClient(client)
			.id("authorization-" + tokenValue)
			.principalName("client")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.accessToken(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, tokenValue, issuedAt,
					issuedAt.plus(TOKEN_TTL)))
			.build();
	}

	static final class SettableClock extends Clock {

		private Instant now;

		SettableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
