package io.scalarhub.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A real token issuer for service tests: an RSA key, its JWKS served over HTTP on loopback, and signed JWTs
 * in the shape the auth-server issues. Services under test fetch the key set and verify signatures exactly
 * as in production; nothing about token checking is mocked.
 */
public final class TestJwtIssuer implements AutoCloseable {

	public static final String ISSUER = "http://issuer.test.scalarhub";

	/** The tenant of every token unless a test asks for another: the API clients of one organisation. */
	public static final UUID TENANT_A = UUID.fromString("a0000000-0000-4000-8000-00000000000a");

	/** A second organisation, for the isolation tests: it must never see or touch {@link #TENANT_A}'s data. */
	public static final UUID TENANT_B = UUID.fromString("b0000000-0000-4000-8000-00000000000b");

	private final RSAKey signingKey;

	private final RSAKey strangerKey;

	private final HttpServer server;

	private final java.util.concurrent.atomic.AtomicInteger tokensIssued = new java.util.concurrent.atomic.AtomicInteger();

	public TestJwtIssuer() {
		try {
			this.signingKey = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
			this.strangerKey = new RSAKeyGenerator(2048).keyID(this.signingKey.getKeyID()).generate();
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		}
		catch (JOSEException | IOException ex) {
			throw new IllegalStateException(ex);
		}
		byte[] jwks = new JWKSet(this.signingKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
		this.server.createContext("/oauth2/jwks", (exchange) -> {
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, jwks.length);
			try (OutputStream body = exchange.getResponseBody()) {
				body.write(jwks);
			}
		});
		// client credentials, as auth-server answers a platform service: its own token, scope internal, no tenant
		this.server.createContext("/oauth2/token", (exchange) -> {
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			exchange.getRequestBody().readAllBytes();
			byte[] body;
			int status;
			if (authorization != null && authorization.startsWith("Basic ")) {
				String clientId = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8)
					.split(":", 2)[0];
				this.tokensIssued.incrementAndGet();
				body = ("{\"access_token\":\"" + serviceToken(clientId) + "\",\"token_type\":\"Bearer\","
						+ "\"expires_in\":300,\"scope\":\"internal\"}").getBytes(StandardCharsets.UTF_8);
				status = 200;
			}
			else {
				body = "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8);
				status = 401;
			}
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	/** Where a service under test gets its own token (client credentials). */
	public String tokenUri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/oauth2/token";
	}

	/** How many service tokens the token endpoint issued. */
	public int serviceTokensIssued() {
		return this.tokensIssued.get();
	}

	public String jwkSetUri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/oauth2/jwks";
	}

	/** A valid token for {@code clientId} of {@link #TENANT_A} with the given scopes, as auth-server issues it. */
	public String token(String clientId, String... scopes) {
		return tokenWithTier(clientId, "standard", scopes);
	}

	/** A valid token for a client of {@code tenant}. */
	public String tokenForTenant(UUID tenant, String clientId, String... scopes) {
		return sign(this.signingKey, claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), scopes)
			.claim("tenant", tenant.toString())
			.build());
	}

	/** A valid token for a client of {@code tier} (the claim that sets its rate limit at the gateway). */
	public String tokenWithTier(String clientId, String tier, String... scopes) {
		return sign(this.signingKey,
				claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), scopes).claim("tier", tier)
					.build());
	}

	/** A platform service's own token: scope {@code internal}, no tenant of its own (auth-server's shape). */
	public String serviceToken(String clientId) {
		JWTClaimsSet.Builder claims = claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), "internal");
		return sign(this.signingKey, claims.claim("tenant", null).build());
	}

	public String expiredToken(String clientId, String... scopes) {
		return sign(this.signingKey, claims(clientId, ISSUER, Instant.now().minus(Duration.ofMinutes(10)), scopes).build());
	}

	public String tokenFromOtherIssuer(String clientId, String... scopes) {
		return sign(this.signingKey,
				claims(clientId, "http://elsewhere.example", Instant.now().plus(Duration.ofMinutes(5)), scopes).build());
	}

	/** Same key id, different key: what a forger without the private key can produce. */
	public String tokenWithWrongSignature(String clientId, String... scopes) {
		return sign(this.strangerKey, claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), scopes).build());
	}

	/** An unsecured JWT ({@code alg: none}) claiming every scope. */
	public String unsignedToken(String clientId, String... scopes) {
		JWTClaimsSet claims = claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), scopes).build();
		Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
		return encoder.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
				+ encoder.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
	}

	/** A token of the right issuer and key, meant for another audience than the platform's API. */
	public String tokenForAnotherAudience(String clientId, String... scopes) {
		return sign(this.signingKey,
				claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), scopes).audience("some-other-api").build());
	}

	/** A token of the right issuer and key that names no audience at all. */
	public String tokenWithoutAudience(String clientId, String... scopes) {
		return sign(this.signingKey,
				claims(clientId, ISSUER, Instant.now().plus(Duration.ofMinutes(5)), scopes).audience((String) null).build());
	}

	private static JWTClaimsSet.Builder claims(String clientId, String issuer, Instant expiry, String... scopes) {
		return new JWTClaimsSet.Builder().issuer(issuer)
			.audience("scalarhub-api")
			.subject(clientId)
			.claim("client_id", clientId)
			.claim("scope", List.of(scopes))
			.claim("tier", "standard")
			.claim("tenant", TENANT_A.toString())
			.issueTime(Date.from(expiry.minus(Duration.ofMinutes(15))))
			.notBeforeTime(Date.from(expiry.minus(Duration.ofMinutes(15))))
			.expirationTime(Date.from(expiry))
			.jwtID(UUID.randomUUID().toString());
	}

	private static String sign(RSAKey key, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
					claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
