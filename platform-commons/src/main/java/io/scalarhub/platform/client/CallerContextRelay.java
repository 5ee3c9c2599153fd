package io.scalarhub.platform.client;

import java.util.Optional;

import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.platform.web.RequestCorrelation;
import reactor.core.publisher.Mono;

import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Carries the caller's identity to the service called: its bearer token (the downstream checks it again),
 * the tenant the work is for (believed downstream only from a platform service's own token; an API client's
 * token names its tenant itself) and its request id (so one id follows the request through every service's
 * logs). Trace context is propagated by the observed WebClient itself.
 */
class CallerContextRelay implements ExchangeFilterFunction {

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return Mono.deferContextual((context) -> {
			String requestId = context.getOrDefault(RequestCorrelation.REQUEST_ID_ATTRIBUTE, null);
			String tenant = TenantScope.in(context)
				.filter((scope) -> !scope.isSystem())
				.map((scope) -> scope.tenant().toString())
				.orElse(null);
			return ReactiveSecurityContextHolder.getContext()
				.map(SecurityContext::getAuthentication)
				.filter(AbstractOAuth2TokenAuthenticationToken.class::isInstance)
				.map((authentication) -> ((AbstractOAuth2TokenAuthenticationToken<?>) authentication).getToken()
					.getTokenValue())
				.map(Optional::of)
				.defaultIfEmpty(Optional.empty())
				.flatMap((token) -> next.exchange(ClientRequest.from(request).headers((headers) -> {
					token.ifPresent(headers::setBearerAuth);
					if (tenant != null) {
						headers.set(TenantScope.HEADER, tenant);
					}
					if (requestId != null) {
						headers.set(RequestCorrelation.REQUEST_ID_HEADER, requestId);
					}
				}).build()));
		});
	}

}
