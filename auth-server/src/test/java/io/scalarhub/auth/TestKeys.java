package io.scalarhub.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** RSA keys made by the tests, and their PEM form. */
public final class TestKeys {

	private TestKeys() {
	}

	public static KeyPair rsa(int bits) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(bits);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The private key as {@code openssl genpkey} writes it: PKCS#8, PEM. */
	public static String pkcs8Pem(KeyPair pair) {
		return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
	}

	public static String pem(String type, byte[] der) {
		String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
		return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
	}

}
