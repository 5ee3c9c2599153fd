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
 * @param tokenUri the token endpoint: the auth-server's configured address, never a service-registry name (the
 * secret is sent there; {@code lb://} is refused)
 */
@ConfigurationProperties("scalarhub.service-identity")
public record ServiceIdentityProperties(String clientId, @DefaultValue("") String clientSecret,
		@DefaultValue("http://127.0.0.1:9000/oauth2/token") String tokenUri) {

	public ServiceIdentityProperties {
		if (tokenUri.startsWith("lb://")) {
			throw new IllegalArgumentException("scalarhub.service-identity.token-uri must be the auth-server's "
					+ "configured address, not a service-registry name (" + tokenUri + "): the client secret is sent there");
		}
	}

	/** The scope of every service-to-service call; no API client is ever granted it. */
	public static final String INTERNAL_SCOPE = "internal";

}
