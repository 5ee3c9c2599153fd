package io.scalarhub.auth.keys;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.Resource;
import org.springframework.security.converter.RsaKeyConverters;

/**
 * The RSA key access tokens are signed with (RS256). Its key id is its RFC 7638 thumbprint, so the same key
 * always has the same {@code kid}, on every instance and across restarts.
 */
public final class SigningKeys {

	/** Below this, nimbus refuses to sign RS256 (RFC 7518 §3.3). */
	static final int MINIMUM_KEY_BITS = 2048;

	private static final Logger logger = LoggerFactory.getLogger(SigningKeys.class);

	private SigningKeys() {
	}

	/**
	 * The key read from {@code pem} when one is configured; otherwise a fresh key, with a warning, since the
	 * tokens it signs stop verifying when this instance restarts and are not accepted from another instance.
	 */
	public static RSAKey configuredOrGenerated(@Nullable Resource pem) {
		if (pem == null) {
			RSAKey key = generate();
			logger.warn("No scalarhub.auth.signing-key configured: signing tokens with a key generated at start "
					+ "(kid {}). Tokens will not survive a restart and other instances will not share the key; "
					+ "configure a PKCS#8 PEM RSA key for anything but a local run.", key.getKeyID());
			return key;
		}
		RSAKey key = fromPem(pem);
		logger.info("Signing tokens with the RSA key from {} (kid {})", pem.getDescription(), key.getKeyID());
		return key;
	}

	/** Reads a PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) RSA private key and derives its public key. */
	public static RSAKey fromPem(Resource pem) {
		String where = "scalarhub.auth.signing-key (" + pem.getDescription() + ")";
		if (!pem.exists()) {
			throw new IllegalStateException(where + " does not exist");
		}
		RSAPrivateKey privateKey;
		try (InputStream in = pem.getInputStream()) {
			privateKey = RsaKeyConverters.pkcs8().convert(in);
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new IllegalStateException(
					where + " is not a PKCS#8 PEM RSA private key (-----BEGIN PRIVATE KEY-----): " + ex.getMessage(),
					ex);
		}
		if (!(privateKey instanceof RSAPrivateCrtKey crtKey)) {
			throw new IllegalStateException(where + " has no CRT parameters: its public key cannot be derived");
		}
		if (crtKey.getModulus().bitLength() < MINIMUM_KEY_BITS) {
			throw new IllegalStateException(where + " is " + crtKey.getModulus().bitLength()
					+ " bits: RS256 needs at least " + MINIMUM_KEY_BITS);
		}
		return toJwk(publicKeyOf(crtKey), crtKey);
	}

	/** A new 2048-bit RSA key. */
	public static RSAKey generate() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(MINIMUM_KEY_BITS);
			KeyPair pair = generator.generateKeyPair();
			return toJwk((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot generate an RSA key", ex);
		}
	}

	private static RSAPublicKey publicKeyOf(RSAPrivateCrtKey privateKey) {
		try {
			return (RSAPublicKey) KeyFactory.getInstance("RSA")
				.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot derive the RSA public key", ex);
		}
	}

	private static RSAKey toJwk(RSAPublicKey publicKey, RSAPrivateKey privateKey) {
		try {
			return new RSAKey.Builder(publicKey).privateKey(privateKey)
				.keyUse(KeyUse.SIGNATURE)
				.algorithm(JWSAlgorithm.RS256)
				.keyIDFromThumbprint()
				.build();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Cannot compute the key's RFC 7638 thumbprint", ex);
		}
	}

}
