package io.scalarhub.auth.clients;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.scalarhub.auth.config.AuthServerProperties;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Turns the configured clients into Spring Authorization Server registrations: client-credentials grant only,
 * secret sent by HTTP Basic or in the form, self-contained (JWT) access tokens.
 */
public final class RegisteredClients {

	/** The client setting that carries the client's {@link Tier}. */
	public static final String TIER_SETTING = "io.scalarhub.auth.tier";

	/** The client setting that carries the client's tenant, absent for a platform service's identity. */
	public static final String TENANT_SETTING = "io.scalarhub.auth.tenant";

	private RegisteredClients() {
	}

	public static List<RegisteredClient> from(AuthServerProperties properties) {
		return properties.clients()
			.entrySet()
			.stream()
			.map((entry) -> from(entry.getKey(), entry.getValue(), properties.accessTokenTtl()))
			.toList();
	}

	static RegisteredClient from(String clientId, AuthServerProperties.Client client, Duration accessTokenTtl) {
		// the client id doubles as the registration id: stable across restarts and instances
		return RegisteredClient.withId(clientId)
			.clientId(clientId)
			.clientSecret(client.secret())
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scopes((scopes) -> scopes.addAll(client.scopes()))
			.clientSettings(tenant(ClientSettings.builder().setting(TIER_SETTING, client.tier()), client).build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
				.accessTokenTimeToLive(accessTokenTtl)
				.build())
			.build();
	}

	private static ClientSettings.Builder tenant(ClientSettings.Builder settings, AuthServerProperties.Client client) {
		return (client.tenant() != null) ? settings.setting(TENANT_SETTING, client.tenant().toString()) : settings;
	}

	/** The tenant the client belongs to; empty for a platform service's identity. */
	public static Optional<String> tenantOf(RegisteredClient client) {
		return Optional.ofNullable(client.getClientSettings().getSetting(TENANT_SETTING));
	}

	/** The tier the client was registered with. */
	public static Tier tierOf(RegisteredClient client) {
		Tier tier = client.getClientSettings().getSetting(TIER_SETTING);
		if (tier == null) {
			throw new IllegalStateException("Registered client " + client.getClientId() + " has no tier");
		}
		return tier;
	}

}
