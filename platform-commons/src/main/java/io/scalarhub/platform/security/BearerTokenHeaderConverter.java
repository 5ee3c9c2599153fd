package io.scalarhub.platform.security;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;

/**
 * Takes the bearer token from the {@code Authorization} header, the only place the platform accepts one (RFC 6750
 * §2.1; never a query or form parameter). It accepts and refuses exactly what Spring Security's
 * {@code ServerBearerTokenAuthenticationConverter} does with those two places turned off, which is how it is
 * tested: no header, or another scheme, is no token (the request is anonymous); a header that names the bearer
 * scheme but does not hold one well-formed {@code b64token} is an {@code invalid_token} failure.
 * <p>
 * Why not Spring's: on every request it matched the whole token (about 1 KB) against a case-insensitive regex
 * with a named group and merged three reactive sources into a list to find it; 20 % of the security layer's CPU in
 * the gateway's profile (docs/performance.md). One pass over the characters does the same check.
 */
public final class BearerTokenHeaderConverter implements ServerAuthenticationConverter {

	private static final String SCHEME = "Bearer ";

	@Override
	public Mono<Authentication> convert(ServerWebExchange exchange) {
		String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, "bearer", 0, 6)) {
			return Mono.empty();
		}
		String token = tokenOf(authorization);
		if (token == null) {
			return Mono.error(new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed")));
		}
		return Mono.just(new BearerTokenAuthenticationToken(token));
	}

	/**
	 * The token of a header value that starts with "bearer" in any case, or null where it is not
	 * {@code "Bearer " b64token}: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}.
	 */
	static String tokenOf(String authorization) {
		int start = SCHEME.length();
		if (authorization.length() <= start || !authorization.regionMatches(true, 0, SCHEME, 0, start)) {
			return null;
		}
		int end = authorization.length();
		int padding = end;
		while (padding > start && authorization.charAt(padding - 1) == '=') {
			padding--;
		}
		if (padding == start) {
			return null; // padding alone, or nothing
		}
		for (int i = start; i < padding; i++) {
			if (!isTokenCharacter(authorization.charAt(i))) {
				return null;
			}
		}
		return authorization.substring(start);
	}

	private static boolean isTokenCharacter(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				|| c == '_' || c == '~' || c == '+' || c == '/';
	}

}
