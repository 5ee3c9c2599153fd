package io.scalarhub.platform.client;

import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.platform.web.RequestCorrelation;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Carries what the service called must know of the work it serves: the tenant it is for
 * ({@code X-Scalarhub-Tenant}, believed downstream only next to a platform service's own token, which
 * {@link ServiceIdentity} presents) and the request id (so one id follows the request through every service's
 * logs). The API client's own token is not passed on. Trace context is propagated by the observed WebClient
 * itself.
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
			return next.exchange(ClientRequest.from(request).headers((headers) -> {
				if (tenant != null) {
					headers.set(TenantScope.HEADER, tenant);
				}
				if (requestId != null) {
					headers.set(RequestCorrelation.REQUEST_ID_HEADER, requestId);
				}
			}).build());
		});
	}

}
