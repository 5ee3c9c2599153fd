package io.scalarhub.platform.security;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

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
 * Real RS256 tokens for platform-commons' own tests: a fresh RSA key, tokens signed with it in auth-server's
 * shape, and (on first use) its JWKS served over HTTP on loopback, counting how often it is fetched.
 * (platform-test's TestJwtIssuer cannot be used here: it fixes every token's times, and these tests need to set
 * them.)
 */
final class TestTokens implements AutoCloseable {

	static final String ISSUER = "http://issuer.test.scalarhub";

	static final String AUDIENCE = "scalarhub-api";

	private final RSAKey key;

	/** Same key id, another key: what someone without the private key can sign with. */
	private final RSAKey strangerKey;

	private final AtomicInteger jwksFetches = new AtomicInteger();

	private HttpServer jwks;

	TestTokens() {
		try {
			this.key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
			this.strangerKey = new RSAKeyGenerator(2048).keyID(this.key.getKeyID()).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	RSAPublicKey publicKey() {
		try {
			return this.key.toRSAPublicKey();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Claims as auth-server issues them, valid from {@code now} for {@code lifetime}. */
	static JWTClaimsSet.Builder claims(Instant now, Duration lifetime) {
		return new JWTClaimsSet.Builder().issuer(ISSUER)
			.audience(AUDIENCE)
			.subject("test-client")
			.claim("client_id", "test-client")
			.claim("scope", List.of("customers:read"))
			.claim("tenant", "a0000000-0000-4000-8000-00000000000a")
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now))
			.expirationTime(Date.from(now.plus(lifetime)))
			.jwtID(UUID.randomUUID().toString());
	}

	String sign(JWTClaimsSet claims) {
		return sign(this.key, claims);
	}

	String signWithStrangerKey(JWTClaimsSet claims) {
		return sign(this.strangerKey, claims);
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

	/** The JWKS endpoint, started on first call. */
	synchronized String jwkSetUri() {
		if (this.jwks == null) {
			byte[] body = new JWKSet(this.key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
			try {
				this.jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			this.jwks.createContext("/oauth2/jwks", (exchange) -> {
				this.jwksFetches.incrementAndGet();
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, body.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			});
			this.jwks.start();
		}
		return "http://127.0.0.1:" + this.jwks.getAddress().getPort() + "/oauth2/jwks";
	}

	int jwksFetches() {
		return this.jwksFetches.get();
	}

	@Override
	public synchronized void close() {
		if (this.jwks != null) {
			this.jwks.stop(0);
		}
	}

}
