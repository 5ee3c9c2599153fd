package io.scalarhub.platform.security;

import java.util.List;
import java.util.Map;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import io.scalarhub.platform.problem.ProblemWriter;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * 401 and 403 as problem+json, with the {@code WWW-Authenticate} challenge RFC 6750 asks for. The
 * descriptions are fixed texts: a token's validation failure is not explained in detail to whoever sent it.
 */
public class ProblemSecurityHandlers implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {

	private final ProblemWriter writer;

	public ProblemSecurityHandlers(ProblemWriter writer) {
		this.writer = writer;
	}

	@Override
	public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException failure) {
		boolean tokenPresented = failure instanceof OAuth2AuthenticationException;
		String challenge = tokenPresented
				? "Bearer error=\"invalid_token\", error_description=\"The access token is invalid or expired\""
				: "Bearer";
		String detail = tokenPresented ? "The access token is invalid or expired."
				: "This endpoint needs a bearer token (OAuth2 client credentials).";
		return this.writer.write(exchange, new ApiProblem(HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED,
				"Unauthorized", detail, List.of(), Map.of("WWW-Authenticate", challenge)));
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
		return this.writer.write(exchange,
				new ApiProblem(HttpStatus.FORBIDDEN, ProblemTypes.FORBIDDEN, "Forbidden",
						"The access token lacks the scope this request needs.", List.of(),
						Map.of("WWW-Authenticate",
								"Bearer error=\"insufficient_scope\", error_description=\"The access token lacks the required scope\"")));
	}

}
