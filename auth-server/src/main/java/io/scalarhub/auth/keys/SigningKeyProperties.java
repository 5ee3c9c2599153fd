package io.scalarhub.auth.keys;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The signing key set (table {@code signing_key} in the auth database, shared by every instance).
 *
 * @param rotationPeriod how long a key signs before a new one replaces it (any instance rotates when due; the
 * operator can rotate at any time: {@code POST /actuator/signingkeys} on the management port)
 * @param refreshInterval how often an instance reads the set again: at most this long after a rotation, every
 * instance signs with the new key
 * @param encryptionPassword the password the private keys are encrypted with at rest (AES-GCM), from the
 * environment ({@code SCALARHUB_AUTH_KEYS_ENCRYPTIONPASSWORD}); the same on every instance
 * @param verifierClockSkew how long after its expiry a verifier still accepts a token (Spring Security's 60 s):
 * a replaced key stays published for the token lifetime plus this
 */
@ConfigurationProperties("scalarhub.auth.keys")
public record SigningKeyProperties(@DefaultValue("30d") Duration rotationPeriod,
		@DefaultValue("5s") Duration refreshInterval, @Nullable String encryptionPassword,
		@DefaultValue("60s") Duration verifierClockSkew) {

	/** A person's password would be weak; the key set's is a random secret. */
	static final int MINIMUM_PASSWORD_LENGTH = 16;

	public SigningKeyProperties {
		if (encryptionPassword == null || encryptionPassword.length() < MINIMUM_PASSWORD_LENGTH) {
			throw new IllegalArgumentException("scalarhub.auth.keys.encryption-password must be set, at least "
					+ MINIMUM_PASSWORD_LENGTH + " characters (SCALARHUB_AUTH_KEYS_ENCRYPTIONPASSWORD): it encrypts "
					+ "the private signing keys in the database");
		}
		if (rotationPeriod.isNegative() || rotationPeriod.isZero() || refreshInterval.isNegative()
				|| refreshInterval.isZero()) {
			throw new IllegalArgumentException(
					"scalarhub.auth.keys.rotation-period and refresh-interval must be positive");
		}
	}

}
