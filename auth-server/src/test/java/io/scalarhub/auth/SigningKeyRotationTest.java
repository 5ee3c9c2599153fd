package io.scalarhub.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import io.scalarhub.test.Polling;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two auth-server instances on one key set (one database), as a deployment runs them: tokens from either verify
 * against the key set either publishes; a rotation on one instance under a steady stream of token requests to
 * both fails no request and no verification (a new key is published by every instance before any signs with it); tokens signed before it stay valid until they expire, and then
 * their key leaves the set.
 */
class SigningKeyRotationTest {

	static final String TEST_SECRET = "test-secret";

	static final Duration TOKEN_TTL = Duration.ofSeconds(4);

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static ConfigurableApplicationContext first;

	static ConfigurableApplicationContext second;

	@BeforeAll
	static void startTwoInstances() {
		TestPostgres.Database database = TestPostgres.createDatabase("auth");
		first = start(database);
		second = start(database);
	}

	@AfterAll
	static void stop() {
		second.close();
		first.close();
	}

	private static ConfigurableApplicationContext start(TestPostgres.Database database) {
		return new SpringApplicationBuilder(AuthServerApplication.class).profiles("test")
			.run("--" + AuthServerTestProperties.NO_CONFIG_SERVER, "--" + AuthServerTestProperties.NO_EUREKA,
					"--server.port=0", "--management.server.port=0", "--spring.datasource.url=" + database.jdbcUrl(),
					"--spring.datasource.username=" + database.username(),
					"--spring.datasource.password=" + database.password(),
					"--scalarhub.auth.access-token-ttl=" + TOKEN_TTL.toSeconds() + "s",
					"--scalarhub.auth.keys.refresh-interval=500ms", "--scalarhub.auth.keys.verifier-clock-skew=1s");
	}

	@Test
	void aRotationOnOneInstanceUnderLoadBreaksNoTokenFromEither() throws Exception {
		AuthServerHttp a = new AuthServerHttp(port(first));
		AuthServerHttp b = new AuthServerHttp(port(second));
		String before = kid(token(a));
		assertThat(kid(token(b))).as("both instances sign with the one key of the set").isEqualTo(before);
		String tokenBefore = token(b);

		// a steady stream of token requests to both instances, each token checked against both key sets
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger checked = new AtomicInteger();
		List<String> failures = new CopyOnWriteArrayList<>();
		Set<String> kidsSeen = ConcurrentHashMap.newKeySet();
		Thread load = new Thread(() -> {
			while (running.get()) {
				for (AuthServerHttp issuer : List.of(a, b)) {
					try {
						String token = token(issuer);
						kidsSeen.add(kid(token));
						a.verified(token);
						b.verified(token);
						checked.incrementAndGet();
					}
					catch (Throwable failure) {
						failures.add(failure.toString());
					}
				}
			}
		});
		load.start();
		// each token request checks a bcrypt secret (cost 10): on two busy cores a round takes seconds, so the
		// deadlines are generous ceilings; a failure ends the wait at once and is reported below
		Polling.until(Duration.ofSeconds(60), "token requests before the rotation",
				() -> checked.get() >= 4 || !failures.isEmpty());
		assertThat(failures).as("failed token requests or verifications before the rotation").isEmpty();

		assertThat(rotate(port(first), null).statusCode()).as("a stranger cannot rotate").isEqualTo(401);
		HttpResponse<String> rotated = rotate(port(first), AuthServerTestProperties.OPERATOR_PASSWORD);
		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		@SuppressWarnings("unchecked")
		List<String> published = (List<String>) AuthServerHttp.parse(rotated.body()).get("published");
		assertThat(published).hasSize(2).contains(before);
		String after = published.stream().filter((kid) -> !kid.equals(before)).findFirst().orElseThrow();
		// published first, signing a moment later (two refresh intervals), on both instances
		Polling.until(Duration.ofSeconds(30), "both instances sign with the new key",
				() -> after.equals(kid(token(a))) && after.equals(kid(token(b))));
		int atRotation = checked.get();
		Polling.until(Duration.ofSeconds(60), "token requests after the rotation",
				() -> checked.get() >= atRotation + 4 || !failures.isEmpty());
		running.set(false);
		load.join(10_000);

		assertThat(failures).as("failed token requests or verifications").isEmpty();
		assertThat(kidsSeen).as("tokens of both keys were issued during the load").contains(before, after);
		// a token from before the rotation is still good, from either key set, until it expires
		a.verified(tokenBefore);
		b.verified(tokenBefore);

		// then the old key leaves the set (token lifetime + clock skew after its replacement)
		Polling.until(Duration.ofSeconds(30), "the replaced key leaves both key sets",
				() -> a.jwks().getKeyByKeyId(before) == null && b.jwks().getKeyByKeyId(before) == null);
		assertThat(a.jwks().getKeys()).extracting(JWK::getKeyID).containsExactly(after);
		assertThat(b.jwks().getKeys()).extracting(JWK::getKeyID).containsExactly(after);
	}

	private static String token(AuthServerHttp issuer) {
		HttpResponse<String> response = issuer.tokenRequestWithBasic("test-enterprise", TEST_SECRET,
				Map.of("grant_type", "client_credentials"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return (String) AuthServerHttp.parse(response.body()).get("access_token");
	}

	private static String kid(String token) {
		try {
			return SignedJWT.parse(token).getHeader().getKeyID();
		}
		catch (java.text.ParseException ex) {
			throw new AssertionError(ex);
		}
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	private static HttpResponse<String> rotate(int serverPort, String password) throws Exception {
		int management = Integer.parseInt(
				(serverPort == port(first) ? first : second).getEnvironment().getProperty("local.management.port"));
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + management + "/actuator/signingkeys"))
			.timeout(Duration.ofSeconds(10))
			.POST(HttpRequest.BodyPublishers.noBody());
		if (password != null) {
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString(("scalarhub-ops:" + password).getBytes(StandardCharsets.UTF_8)));
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
