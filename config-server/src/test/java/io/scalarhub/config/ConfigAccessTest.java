package io.scalarhub.config;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.context.encrypt.EncryptorFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config-server, started for real on a configuration tree holding a {@code {cipher}} secret: it serves nothing
 * without credentials, serves the secret only as ciphertext with them, and an app holding the key reads it in
 * clear.
 */
class ConfigAccessTest {

	static final String PASSWORD = "config-password-for-this-test";

	static final String KEY = "the-apps-encryption-key-not-the-servers";

	static final String SECRET = "service-client-secret-in-clear";

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	static Path tree;

	static ConfigurableApplicationContext server;

	static String base;

	@BeforeAll
	static void startServer() throws Exception {
		String cipher = new EncryptorFactory().create(KEY).encrypt(SECRET);
		Files.writeString(tree.resolve("some-service.yml"), "scalarhub:\n  some-secret: \"{cipher}" + cipher + "\"\n");
		server = new SpringApplicationBuilder(ConfigServerApplication.class).run("--server.port=0",
				"--management.server.port=0", "--spring.cloud.config.server.native.search-locations=file:" + tree + "/",
				"--scalarhub.config-server.password=" + PASSWORD);
		base = "http://127.0.0.1:" + server.getEnvironment().getProperty("local.server.port");
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void nothingIsServedWithoutTheCredentials() throws Exception {
		for (String authorization : new String[] { null, basic("scalarhub", "guessed"), basic("admin", PASSWORD) }) {
			for (String path : new String[] { "/some-service/default", "/application/default", "/some-service.yml",
					"/decrypt", "/encrypt" }) {
				assertThat(get(path, authorization).statusCode()).as(path).isEqualTo(401);
			}
		}
	}

	@Test
	void withTheCredentialsASecretIsServedOnlyAsCiphertext() throws Exception {
		HttpResponse<String> response = get("/some-service/default", basic("scalarhub", PASSWORD));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("{cipher}").doesNotContain(SECRET);
		// and this server cannot decrypt anything: it has no key
		HttpRequest decrypt = HttpRequest.newBuilder(URI.create(base + "/decrypt"))
			.header("Authorization", basic("scalarhub", PASSWORD))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString(
					new EncryptorFactory().create(KEY).encrypt(SECRET)))
			.build();
		HttpResponse<String> decrypted = http.send(decrypt, HttpResponse.BodyHandlers.ofString());
		assertThat(decrypted.statusCode()).isNotEqualTo(200);
		assertThat(decrypted.body()).doesNotContain(SECRET);
	}

	@Test
	void anAppWithTheCredentialsAndTheKeyReadsTheSecretInClear() {
		try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.run("--spring.application.name=some-service", "--spring.config.import=configserver:" + base,
					// config-server's jar turns the client off wherever it is on the class path; this app is a client
					"--spring.cloud.config.enabled=true", "--spring.cloud.config.fail-fast=true",
					"--spring.cloud.config.username=scalarhub",
					"--spring.cloud.config.password=" + PASSWORD, "--encrypt.key=" + KEY)) {
			assertThat(app.getEnvironment().getProperty("scalarhub.some-secret")).isEqualTo(SECRET);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

	private static HttpResponse<String> get(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
