package io.scalarhub.platform.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Checks machine secrets (random, high-entropy, generated per run): stores their SHA-256 digest and compares
 * digests in constant time. Never for passwords people choose; those need a slow, salted hash.
 */
final class RandomSecretEncoder implements PasswordEncoder {

	@Override
	public String encode(CharSequence rawPassword) {
		return HexFormat.of().formatHex(digest(rawPassword));
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		if (rawPassword == null || encodedPassword == null) {
			return false;
		}
		byte[] expected;
		try {
			expected = HexFormat.of().parseHex(encodedPassword);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		return MessageDigest.isEqual(digest(rawPassword), expected);
	}

	private static byte[] digest(CharSequence text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JDK has SHA-256", ex);
		}
	}

}
