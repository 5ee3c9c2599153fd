package io.scalarhub.subscription.client;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * subscription-service's own identity, for the calls its billing worker makes with no client request to
 * relay a token from: a client-credentials token from the auth-server, presented to the ledger's internal API.
 *
 * @param clientId the client registered for this service in the auth-server
 * @param clientSecret its secret (in plain text here; the auth-server stores it hashed)
 * @param tokenUri the token endpoint; {@code lb://auth-server/...} resolves through Eureka
 */
@ConfigurationProperties("scalarhub.service-identity")
public record ServiceIdentityProperties(@DefaultValue("subscription-service") String clientId,
		@DefaultValue("") String clientSecret, @DefaultValue("lb://auth-server/oauth2/token") String tokenUri) {
}
