package io.scalarhub.platform.client;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A service's own identity for the calls it makes to other services: a client registered in auth-server with
 * the one scope {@code internal}, whose client-credentials token every {@link ServiceClient} call presents
 * (docs/architecture.md, "Service-to-service calls"). Absent client id: the service calls nobody.
 *
 * @param clientId the client registered for this service in auth-server
 * @param clientSecret its secret (auth-server stores it hashed; here it comes from the environment)
 * @param tokenUri the token endpoint; {@code lb://auth-server/...} resolves through Eureka
 */
@ConfigurationProperties("scalarhub.service-identity")
public record ServiceIdentityProperties(String clientId, @DefaultValue("") String clientSecret,
		@DefaultValue("lb://auth-server/oauth2/token") String tokenUri) {

	/** The scope of every service-to-service call; no API client is ever granted it. */
	public static final String INTERNAL_SCOPE = "internal";

}
