package io.scalarhub.auth.tokens;

import java.util.ArrayList;
import java.util.List;

import io.scalarhub.auth.clients.RegisteredClients;

import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Adds to every access token what the gateway and the services read besides Spring's defaults ({@code iss},
 * {@code sub} = client id, {@code aud}, {@code scope}, {@code iat}, {@code nbf}, {@code exp}, {@code jti}):
 * {@code client_id} (RFC 9068), {@code tier}, the client's rate-limit tier, and {@code tenant}, the organisation
 * whose data the client may see (absent for a platform service's own identity). {@code aud} is the platform's
 * API (not Spring's default, the client id): every app accepts only tokens meant for it.
 */
public class AccessTokenClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {

	public static final String CLIENT_ID = "client_id";

	public static final String TIER = "tier";

	public static final String TENANT = "tenant";

	private final String audience;

	public AccessTokenClaims(String audience) {
		this.audience = audience;
	}

	@Override
	public void customize(JwtEncodingContext context) {
		if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
			return;
		}
		// the claims are stored with the authorization (JdbcOAuth2AuthorizationService) and read back through Spring
		// Security's allowlist of types, which takes an ArrayList and refuses List.of's own classes
		context.getClaims()
			.audience(new ArrayList<>(List.of(this.audience)))
			.claim(CLIENT_ID, context.getRegisteredClient().getClientId())
			.claim(TIER, RegisteredClients.tierOf(context.getRegisteredClient()).claimValue());
		RegisteredClients.tenantOf(context.getRegisteredClient())
			.ifPresent((tenant) -> context.getClaims().claim(TENANT, tenant));
	}

}
