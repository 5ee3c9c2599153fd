package io.scalarhub.auth;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Calls a running auth-server over real HTTP, as a client or a resource server would. */
final class AuthServerHttp {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	private final String baseUrl;

	AuthServerHttp(int port) {
		this.baseUrl = "http://localhost:" + port;
	}

	/** POST /oauth2/token with the client's id and secret in HTTP Basic and {@code form} as the body. */
	HttpResponse<String> tokenRequestWithBasic(String clientId, String secret, Map<String, String> form) {
		return postWithBasic("/oauth2/token", clientId, secret, form);
	}

	/** POST {@code form} to {@code path} with the client's id and secret in HTTP Basic (RFC 6749 §2.3.1). */
	HttpResponse<String> postWithBasic(String path, String clientId, String secret, Map<String, String> form) {
		String credentials = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
				+ URLEncoder.encode(secret, StandardCharsets.UTF_8);
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(formBody(form)))
			.build());
	}

	/** POST /oauth2/token with nothing but {@code form}: no Authorization header. */
	HttpResponse<String> tokenRequestWithForm(Map<String, String> form) {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + "/oauth2/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(formBody(form)))
			.build());
	}

	HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path)).GET().build());
	}

	/** GET {@code path} with HTTP Basic credentials. */
	HttpResponse<String> get(String path, String user, String password) {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.header("Authorization", "Basic " + java.util.Base64.getEncoder()
				.encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
			.GET()
			.build());
	}

	/** GET {@code path}, expecting 200 and a JSON object. */
	Map<String, Object> getJson(String path) {
		HttpResponse<String> response = get(path);
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return parse(response.body());
	}

	JWKSet jwks() {
		HttpResponse<String> response = get("/oauth2/jwks");
		assertThat(response.statusCode()).isEqualTo(200);
		try {
			return JWKSet.parse(response.body());
		}
		catch (ParseException ex) {
			throw new AssertionError("Not a JWK set: " + response.body(), ex);
		}
	}

	/** The token, once its RS256 signature is checked against the key the JWKS endpoint names by its kid. */
	SignedJWT verified(String token) {
		try {
			SignedJWT jwt = SignedJWT.parse(token);
			RSAKey key = (RSAKey) jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
			assertThat(key).as("JWKS key for kid %s", jwt.getHeader().getKeyID()).isNotNull();
			assertThat(jwt.verify(new RSASSAVerifier(key))).as("signature verifies against the JWKS").isTrue();
			return jwt;
		}
		catch (ParseException | JOSEException ex) {
			throw new AssertionError("Not a verifiable JWT: " + token, ex);
		}
	}

	static Map<String, Object> parse(String body) {
		return json.readValue(body, new TypeReference<Map<String, Object>>() {
		});
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String formBody(Map<String, String> form) {
		return form.entrySet()
			.stream()
			.map((field) -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
	}

}
