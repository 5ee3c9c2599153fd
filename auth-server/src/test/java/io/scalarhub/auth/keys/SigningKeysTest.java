package io.scalarhub.auth.keys;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.scalarhub.auth.TestKeys;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SigningKeysTest {

	/** One key for all the tests: RSA key generation is slow on a small test JVM. */
	static final KeyPair pair = TestKeys.rsa(2048);

	@Test
	void readsAPkcs8PemKeyAndDerivesItsPublicKey() throws Exception {
		RSAKey key = SigningKeys.fromPem(pem(TestKeys.pkcs8Pem(pair)));

		RSAKey expectedPublic = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).build();
		assertThat(key.toRSAPublicKey()).isEqualTo(pair.getPublic());
		assertThat(key.toRSAPrivateKey()).isEqualTo(pair.getPrivate());
		assertThat(key.getKeyID()).isEqualTo(expectedPublic.computeThumbprint().toString());
		assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
		assertThat(key.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
	}

	@Test
	void theSameKeyAlwaysHasTheSameKeyId() {
		String pem = TestKeys.pkcs8Pem(pair);

		assertThat(SigningKeys.fromPem(pem(pem)).getKeyID()).isEqualTo(SigningKeys.fromPem(pem(pem)).getKeyID());
	}

	@Test
	void generatesA2048BitKeyIdentifiedByItsThumbprintWhenNoneIsConfigured() throws Exception {
		RSAKey key = SigningKeys.configuredOrGenerated(null);

		assertThat(key.size()).isEqualTo(2048);
		assertThat(key.isPrivate()).isTrue();
		assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
	}

	@Test
	void refusesAKeyThatIsNotPkcs8() {
		// PKCS#1 ("BEGIN RSA PRIVATE KEY") is what older openssl genrsa writes
		String pkcs1 = TestKeys.pem("RSA PRIVATE KEY", new byte[] { 1, 2, 3 });

		assertThatIllegalStateException().isThrownBy(() -> SigningKeys.fromPem(pem(pkcs1)))
			.withMessageContaining("scalarhub.auth.signing-key")
			.withMessageContaining("is not a PKCS#8 PEM RSA private key");
	}

	@Test
	void refusesAShortKey() {
		String pem = TestKeys.pkcs8Pem(TestKeys.rsa(1024));

		assertThatIllegalStateException().isThrownBy(() -> SigningKeys.fromPem(pem(pem)))
			.withMessageContaining("1024 bits: RS256 needs at least 2048");
	}

	@Test
	void refusesAMissingFile() {
		assertThatIllegalStateException()
			.isThrownBy(() -> SigningKeys.fromPem(new FileSystemResource("/nonexistent/signing-key.pem")))
			.withMessageContaining("does not exist");
	}

	private static ByteArrayResource pem(String text) {
		return new ByteArrayResource(text.getBytes(StandardCharsets.US_ASCII), "test key");
	}

}
