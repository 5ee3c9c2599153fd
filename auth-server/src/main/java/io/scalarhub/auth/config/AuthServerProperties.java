package io.scalarhub.auth.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import io.scalarhub.auth.clients.Tier;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;

/**
 * The authorization server's configuration. Checked as it is bound, so that a mistake stops start-up with
 * every problem listed rather than showing up later as refused tokens.
 *
 * @param issuer the public issuer URL put in every token's {@code iss} and in the metadata: the gateway's URL,
 * since clients reach this server through it
 * @param signingKey a PKCS#8 PEM ({@code BEGIN PRIVATE KEY}) RSA private key; absent or empty: a key is generated
 * at start, and tokens do not survive a restart
 * @param accessTokenTtl how long an access token is valid
 * @param clients the registered clients by client id
 * @param audience the {@code aud} of every access token: the platform's API, which every app checks, so that a
 * token this server issued for anything else is never accepted by it
 * @param authorizationPurgeInterval how often an instance deletes the stored authorizations whose tokens have all
 * expired (ExpiredAuthorizationPurge)
 */
@ConfigurationProperties("scalarhub.auth")
public record AuthServerProperties(String issuer, @Nullable Resource signingKey,
		@DefaultValue("15m") Duration accessTokenTtl, @DefaultValue Map<String, Client> clients,
		@DefaultValue("scalarhub-api") String audience, @DefaultValue("60s") Duration authorizationPurgeInterval) {

	private static final String PREFIX = "scalarhub.auth.";

	/** RFC 6749 §3.3 scope-token: printable ASCII except space, {@code "} and {@code \}. */
	private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

	public AuthServerProperties {
		List<String> problems = new ArrayList<>();
		checkIssuer(issuer, problems);
		if (accessTokenTtl.isNegative() || accessTokenTtl.isZero()) {
			problems.add(PREFIX + "access-token-ttl must be positive, was " + accessTokenTtl);
		}
		if (authorizationPurgeInterval.isNegative() || authorizationPurgeInterval.isZero()) {
			problems.add(PREFIX + "authorization-purge-interval must be positive, was " + authorizationPurgeInterval);
		}
		if (clients.isEmpty()) {
			problems.add(PREFIX + "clients is empty: register at least one client "
					+ "(local runs get the demo clients from config-server's auth-server.yml)");
		}
		clients.forEach((clientId, client) -> checkClient(clientId, client, problems));
		if (!problems.isEmpty()) {
			throw new IllegalArgumentException(
					"Invalid scalarhub.auth configuration:\n  - " + String.join("\n  - ", problems));
		}
		clients = Collections.unmodifiableMap(new LinkedHashMap<>(clients));
	}

	/**
	 * A registered client.
	 *
	 * @param secret the client secret, hashed, in {@code DelegatingPasswordEncoder} format such as
	 * {@code {bcrypt}$2a$10$...}
	 * @param scopes the scopes the client may ask for
	 * @param tier the client's rate-limit tier, put in its tokens' {@code tier} claim
	 * @param tenant the organisation the client belongs to, put in its tokens' {@code tenant} claim: every API
	 * client has one, and sees only that tenant's data. Only a platform service's own identity (its one scope
	 * {@value #INTERNAL_SCOPE}) has none: it acts for the tenant of the work it does.
	 */
	public record Client(String secret, List<String> scopes, Tier tier, @Nullable UUID tenant) {

		public boolean isPlatformService() {
			return this.scopes != null && this.scopes.contains(INTERNAL_SCOPE);
		}

	}

	/** The scope of service-to-service calls: never granted to an API client. */
	public static final String INTERNAL_SCOPE = "internal";

	private static void checkIssuer(@Nullable String issuer, List<String> problems) {
		String property = PREFIX + "issuer";
		if (issuer == null || issuer.isBlank()) {
			problems.add(property + " is missing: set it to the public URL clients reach the platform at "
					+ "(the gateway's, e.g. http://localhost:8080)");
			return;
		}
		try {
			URI uri = new URI(issuer);
			boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
			if (!http || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
				problems.add(property + " must be an http(s) URL without query or fragment, was '" + issuer + "'");
			}
			else if (issuer.endsWith("/")) {
				// iss is compared as a string by resource servers: one spelling only
				problems.add(property + " must not end with '/', was '" + issuer + "'");
			}
		}
		catch (URISyntaxException ex) {
			problems.add(property + " is not a URL: " + ex.getMessage());
		}
	}

	private static void checkClient(String clientId, @Nullable Client client, List<String> problems) {
		String property = PREFIX + "clients." + clientId + ".";
		if (client == null) {
			problems.add(PREFIX + "clients." + clientId + " has no secret, scopes or tier");
			return;
		}
		if (client.secret() == null || client.secret().isBlank()) {
			problems.add(property + "secret is missing");
		}
		else if (!client.secret().startsWith("{")) {
			// the value is deliberately not echoed: it may be a plain-text secret
			problems.add(property + "secret must be stored hashed, in DelegatingPasswordEncoder format "
					+ "such as {bcrypt}$2a$10$..., not in plain text");
		}
		if (client.scopes() == null || client.scopes().isEmpty()) {
			problems.add(property + "scopes must list at least one scope");
		}
		else {
			client.scopes()
				.stream()
				.filter((scope) -> scope == null || !SCOPE_TOKEN.matcher(scope).matches())
				.forEach((scope) -> problems.add(property + "scopes has an invalid scope '" + scope
						+ "' (a scope is printable ASCII without spaces, quotes or backslashes)"));
		}
		if (client.isPlatformService() && (client.scopes().size() > 1 || client.tenant() != null)) {
			problems.add(property + "scopes has '" + INTERNAL_SCOPE + "': a platform service's identity, which holds "
					+ "no other scope and belongs to no tenant (an API client can never be granted it)");
		}
		else if (!client.isPlatformService() && client.tenant() == null) {
			problems.add(property + "tenant is missing: every API client belongs to one tenant (a UUID)");
		}
		if (client.tier() == null) {
			problems.add(property + "tier is missing: one of free, standard, enterprise");
		}
	}

}
