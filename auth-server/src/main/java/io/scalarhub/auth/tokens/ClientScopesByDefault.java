package io.scalarhub.auth.tokens;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads a client-credentials token request that names no scope as a request for all the client's scopes.
 * <p>
 * RFC 6749 §3.3 leaves the default to the server. Spring's own default is no scope at all, a token no API
 * accepts; granting the client's registered scopes is what a caller who leaves {@code scope} out expects.
 * A request that does name scopes is unchanged, so asking for a scope the client lacks is still
 * {@code invalid_scope}.
 */
public class ClientScopesByDefault implements AuthenticationConverter {

	private final AuthenticationConverter clientCredentialsConverter;

	/** @param clientCredentialsConverter Spring's converter for the client-credentials grant */
	public ClientScopesByDefault(AuthenticationConverter clientCredentialsConverter) {
		this.clientCredentialsConverter = clientCredentialsConverter;
	}

	@Override
	public @Nullable Authentication convert(HttpServletRequest request) {
		Authentication converted = this.clientCredentialsConverter.convert(request);
		if (converted instanceof OAuth2ClientCredentialsAuthenticationToken grant && grant.getScopes().isEmpty()
				&& grant.getPrincipal() instanceof OAuth2ClientAuthenticationToken clientAuthentication) {
			RegisteredClient client = clientAuthentication.getRegisteredClient();
			if (client != null) {
				return new OAuth2ClientCredentialsAuthenticationToken(clientAuthentication, client.getScopes(),
						grant.getAdditionalParameters());
			}
		}
		return converted;
	}

}
