package io.scalarhub.gateway.ratelimit;

import java.net.InetSocketAddress;

import io.scalarhub.platform.tenancy.TenantScope;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;

/**
 * Whom a request is counted against: the API client named in its token (claim {@code client_id}, else
 * {@code sub}) with the token's {@code tier}, or, without a token, its source address.
 *
 * @param key the bucket's key
 * @param tier the {@code tier} claim, or {@code null} (the default tier) — {@link #ANONYMOUS} without a token
 * @param tenant the {@code tenant} claim, or {@code null} without a token
 */
public record ClientIdentity(String key, String tier, String tenant) {

	/** The pseudo-tier of requests without a token; its limit is {@code rate-limit.anonymous}. */
	public static final String ANONYMOUS = "anonymous";

	public boolean anonymous() {
		return ANONYMOUS.equals(this.tier);
	}

	static Mono<ClientIdentity> of(ServerWebExchange exchange) {
		return exchange.getPrincipal()
			.filter(JwtAuthenticationToken.class::isInstance)
			.cast(JwtAuthenticationToken.class)
			.map((token) -> {
				String client = token.getToken().getClaimAsString("client_id");
				if (client == null) {
					client = token.getToken().getSubject();
				}
				return new ClientIdentity("client:" + client, token.getToken().getClaimAsString("tier"),
						token.getToken().getClaimAsString(TenantScope.CLAIM));
			})
			.defaultIfEmpty(new ClientIdentity("address:" + sourceAddress(exchange), ANONYMOUS, null));
	}

	/**
	 * The peer's address. Behind a load balancer, set {@code server.forward-headers-strategy} so that this is
	 * the client's address and not the balancer's; X-Forwarded-For is never trusted on its own.
	 */
	private static String sourceAddress(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		if (remote == null) {
			return "unknown";
		}
		return (remote.getAddress() != null) ? remote.getAddress().getHostAddress() : remote.getHostString();
	}

}
