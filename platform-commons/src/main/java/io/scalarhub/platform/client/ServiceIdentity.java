package io.scalarhub.platform.client;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Presents the service's own access token (scope {@code internal}) on every call to another service, whoever
 * the request being served came from: an API client's token never leaves the service it was sent to. The
 * token is Spring Security's business: its OAuth2 client obtains it by client credentials, keeps it, and
 * fetches a new one before it expires. It is one token for the service, not one per API client served
 * (the principal is the service itself).
 */
public class ServiceIdentity implements ExchangeFilterFunction {

	static final String REGISTRATION_ID = "scalarhub-service";

	private final ReactiveOAuth2AuthorizedClientManager authorizedClients;

	private final OAuth2AuthorizeRequest authorizeRequest;

	public ServiceIdentity(ReactiveOAuth2AuthorizedClientManager authorizedClients, String clientId) {
		this.authorizedClients = authorizedClients;
		this.authorizeRequest = OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION_ID).principal(clientId).build();
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return this.authorizedClients.authorize(this.authorizeRequest)
			.switchIfEmpty(Mono.error(() -> new DownstreamFailureException("auth-server issued no service token", null)))
			.onErrorMap((error) -> !(error instanceof DownstreamFailureException),
					(error) -> new DownstreamFailureException("no service token: " + error, error))
			.flatMap((client) -> next.exchange(ClientRequest.from(request)
				.headers((headers) -> headers.setBearerAuth(client.getAccessToken().getTokenValue()))
				.build()));
	}

}
