package io.scalarhub.platform.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import io.scalarhub.platform.PlatformTestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an app does with the headers it screens, over real HTTP: the bearer token is read by the platform's
 * converter (any case of the scheme; a malformed token is a 401 {@code invalid_token}, never a 500 or anonymous
 * access), and the firewall refuses a control character in a header it reads with a 400 problem.
 */
@SpringBootTest(classes = PlatformTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "eureka.client.enabled=false", "management.server.port=0" })
class RequestScreeningAppTest {

	static final TestTokens tokens = new TestTokens();

	@DynamicPropertySource
	static void issuer(DynamicPropertyRegistry registry) {
		registry.add("scalarhub.security.issuer", () -> TestTokens.ISSUER);
		registry.add("scalarhub.security.jwk-set-uri", tokens::jwkSetUri);
	}

	@AfterAll
	static void close() {
		tokens.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	ServerWebExchangeFirewall firewall;

	final HttpClient http = HttpClient.newHttpClient();

	@Test
	void theBearerSchemeIsReadInAnyCaseAndAMalformedTokenIsAnInvalidToken() throws Exception {
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		assertThat(get("Bearer " + token).statusCode()).isEqualTo(200);
		assertThat(get("bearer " + token).statusCode()).isEqualTo(200);
		assertThat(get("BEARER " + token).statusCode()).isEqualTo(200);

		for (String malformed : new String[] { "Bearer " + token + " x", "Bearer  " + token, "Bearer a=b",
				"Bearer", "Bearer " + token.replace('.', ',') }) {
			HttpResponse<String> response = get(malformed);
			assertThat(response.statusCode()).as(malformed).isEqualTo(401);
			assertThat(response.headers().firstValue("WWW-Authenticate")).as(malformed)
				.hasValueSatisfying((challenge) -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""));
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		}
		// another scheme is no token at all: the endpoint asks for one
		HttpResponse<String> basic = get("Basic dXNlcjpwYXNz");
		assertThat(basic.statusCode()).isEqualTo(401);
		assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
	}

	@Test
	void aControlCharacterInAHeaderTheAppReadsIsRefusedWithAProblem() throws Exception {
		assertThat(this.firewall).isNotNull();
		// Netty refuses C0 controls in a header itself (a bare 400); a C1 control (NEL) reaches the firewall
		String token = tokens.sign(TestTokens.claims(Instant.now(), Duration.ofMinutes(15)).build());
		String response = raw("GET /secured HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
				+ "\u0085\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 400");
		assertThat(response).containsIgnoringCase("Content-Type: application/problem+json");
		// the same request without it is served
		String clean = raw("GET /secured HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
				+ "\r\nConnection: close\r\n\r\n");
		assertThat(clean).startsWith("HTTP/1.1 200");
	}

	HttpResponse<String> get(String authorization) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/secured"))
			.header("Authorization", authorization)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** One request written byte for byte (HttpClient refuses control characters in a header), the answer read. */
	String raw(String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			in.transferTo(answer);
			return answer.toString(StandardCharsets.ISO_8859_1);
		}
	}

}
