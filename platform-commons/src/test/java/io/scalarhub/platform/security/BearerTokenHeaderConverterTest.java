package io.scalarhub.platform.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform's converter finds the same token, or the same failure, as Spring Security's (with query and form
 * tokens off, as the platform runs it) for every header value below and for random ones built from the
 * characters where the rules differ.
 */
class BearerTokenHeaderConverterTest {

	final ServerAuthenticationConverter spring = new ServerBearerTokenAuthenticationConverter();

	final ServerAuthenticationConverter ours = new BearerTokenHeaderConverter();

	@Test
	void headersAreReadAsSpringReadsThem() {
		String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlLV9-+/";
		String[] values = { null, "", "Basic dXNlcjpwYXNz", "Bearer " + jwt, "bearer " + jwt, "BEARER " + jwt,
				"Bearer " + jwt + "==", "Bearer", "Bearer ", "Bearer  " + jwt, "Bearer " + jwt + " ",
				"Bearer\t" + jwt, "Bearer ==", "Bearer a=b", "Bearer a==b", "Bearer abc%", "Bearer caf\u00e9",
				"Bearerx " + jwt, "bearer", "Bear " + jwt, "Bearer " + jwt + "\n", "Digest realm=x", "Bearer =a" };
		for (String value : values) {
			assertThat(outcome(this.ours, value)).as(String.valueOf(value)).isEqualTo(outcome(this.spring, value));
		}
		assertThat(outcome(this.ours, "bearer " + jwt)).isEqualTo("token " + jwt);
		assertThat(outcome(this.ours, "Bearer a=b")).isEqualTo("error invalid_token");
		assertThat(outcome(this.ours, "Basic dXNlcjpwYXNz")).isEqualTo("none");
	}

	@Test
	void randomHeadersAreReadAsSpringReadsThem() {
		String[] prefixes = { "Bearer ", "bearer ", "BeArEr ", "Bearer", "Bearer  ", "Basic ", "" };
		String alphabet = "aZ09-._~+/= \t%\u00e9\u0000,";
		Random random = new Random(20261129);
		List<String> differences = new ArrayList<>();
		for (int i = 0; i < 20_000; i++) {
			StringBuilder value = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
			int length = random.nextInt(10);
			for (int j = 0; j < length; j++) {
				value.append(alphabet.charAt(random.nextInt(alphabet.length())));
			}
			String header = value.toString();
			String expected = outcome(this.spring, header);
			if (!outcome(this.ours, header).equals(expected) && differences.size() < 20) {
				differences.add("[" + header + "]: Spring says " + expected);
			}
		}
		assertThat(differences).isEmpty();
	}

	/** "none", "token T" or "error CODE": what a converter makes of one Authorization header value. */
	private static String outcome(ServerAuthenticationConverter converter, String authorization) {
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/secured");
		if (authorization != null) {
			request.header(HttpHeaders.AUTHORIZATION, authorization);
		}
		Mono<Authentication> converted = converter.convert(MockServerWebExchange.from(request));
		try {
			Authentication authentication = converted.block();
			return (authentication == null) ? "none"
					: "token " + ((BearerTokenAuthenticationToken) authentication).getToken();
		}
		catch (OAuth2AuthenticationException failure) {
			return "error " + failure.getError().getErrorCode();
		}
	}

}
