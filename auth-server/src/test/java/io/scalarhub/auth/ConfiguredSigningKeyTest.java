package io.scalarhub.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** A PKCS#8 PEM key configured as scalarhub.auth.signing-key is the one that signs and is published. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { AuthServerTestProperties.NO_CONFIG_SERVER, AuthServerTestProperties.NO_EUREKA })
@ActiveProfiles("test")
class ConfiguredSigningKeyTest {

	static final KeyPair signingKey = TestKeys.rsa(2048);

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		AuthServerTestProperties.database(registry);
	}

	@DynamicPropertySource
	static void signingKeyFile(DynamicPropertyRegistry registry) {
		try {
			Path pem = Files.createTempFile("auth-server-signing-key", ".pem");
			pem.toFile().deleteOnExit();
			Files.writeString(pem, TestKeys.pkcs8Pem(signingKey));
			registry.add("scalarhub.auth.signing-key", () -> pem.toUri().toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	int port;

	AuthServerHttp authServer;

	@BeforeEach
	void client() {
		this.authServer = new AuthServerHttp(this.port);
	}

	@Test
	void publishesTheConfiguredKeyUnderItsThumbprint() throws Exception {
		RSAKey expected = new RSAKey.Builder((RSAPublicKey) signingKey.getPublic()).build();

		RSAKey published = (RSAKey) this.authServer.jwks().getKeys().get(0);

		assertThat(this.authServer.jwks().getKeys()).hasSize(1);
		assertThat(published.getKeyID()).isEqualTo(expected.computeThumbprint().toString());
		assertThat(published.getModulus()).isEqualTo(expected.getModulus());
		assertThat(published.getPublicExponent()).isEqualTo(expected.getPublicExponent());
	}

	@Test
	void signsTokensWithTheConfiguredKey() throws Exception {
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("test-enterprise", "test-secret",
				Map.of("grant_type", "client_credentials", "scope", "accounts:read"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

		SignedJWT jwt = SignedJWT.parse((String) AuthServerHttp.parse(response.body()).get("access_token"));

		assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) signingKey.getPublic()))).isTrue();
		assertThat(jwt.getHeader().getKeyID())
			.isEqualTo(new RSAKey.Builder((RSAPublicKey) signingKey.getPublic()).build().computeThumbprint().toString());
	}

}
