package io.scalarhub.platform.security;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How an app checks the bearer tokens it is sent.
 *
 * @param issuer the {@code iss} every accepted token must carry: the platform's public issuer URL
 * @param jwkSetUri where the signing keys are published: a configured, trusted http(s) location (the
 * auth-server's own address), never a name looked up in the service registry, where anyone who can register
 * an instance could serve keys of their own ({@code lb://} is refused)
 * @param scopeRules which scope a path needs: {@code readScope} for GET and HEAD, {@code writeScope} otherwise
 * @param publicPaths paths anyone may call without a token (the gateway's token endpoint, say)
 * @param audience the {@code aud} every accepted token must name: the platform's API
 */
@ConfigurationProperties("scalarhub.security")
public record ResourceServerProperties(@DefaultValue("http://localhost:8080") String issuer,
		@DefaultValue("http://127.0.0.1:9000/oauth2/jwks") String jwkSetUri, @DefaultValue List<ScopeRule> scopeRules,
		@DefaultValue List<String> publicPaths, @DefaultValue("scalarhub-api") String audience) {

	public ResourceServerProperties {
		if (jwkSetUri.startsWith("lb://")) {
			throw new IllegalArgumentException("scalarhub.security.jwk-set-uri must be the auth-server's configured "
					+ "address, not a service-registry name (" + jwkSetUri + "): whoever registers an instance under "
					+ "that name would serve the keys every token is checked with");
		}
	}

	/**
	 * @param paths path patterns such as {@code /v1/customers/**}
	 * @param readScope scope that GET and HEAD need
	 * @param writeScope scope that every other method needs
	 */
	public record ScopeRule(List<String> paths, String readScope, String writeScope) {
	}

}
