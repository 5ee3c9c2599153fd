package io.scalarhub.platform.tenancy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.common.KeyValue;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import io.scalarhub.platform.problem.ProblemWriter;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs after Spring Security's filter chain and works out who the authenticated caller is: its client id (for
 * the request's log line) and the {@link TenantScope} everything the request does is confined to.
 * <ul>
 * <li>An API client's tenant is its token's {@code tenant} claim, put there by auth-server from its client
 * registry. Nothing in the request can change it: a {@link TenantScope#HEADER} sent along is ignored.</li>
 * <li>A platform service's own token (scope {@code internal}, no tenant) acts for the tenant named in
 * {@link TenantScope#HEADER}, the tenant of the request or job it serves.</li>
 * <li>A token with neither is refused (403): no tenant, no data.</li>
 * <li>The operator on the management port (HTTP Basic, no token) passes without a tenant: nothing there reads
 * tenant data.</li>
 * </ul>
 * The tenant is also noted on the request's server observation (a trace attribute, never a metric tag).
 */
public class TenantWebFilter implements WebFilter, Ordered {

	/** Exchange attribute holding the API client id once security has authenticated the request. */
	public static final String CLIENT_ID_ATTRIBUTE = TenantWebFilter.class.getName() + ".clientId";

	/** Exchange attribute holding the caller's tenant id (a string), for the request's log line. */
	public static final String TENANT_ATTRIBUTE = TenantWebFilter.class.getName() + ".tenant";

	static final String TENANT_REQUIRED = ProblemTypes.BASE + "tenant-required";

	private static final String INTERNAL_SCOPE = "SCOPE_internal";

	private final ProblemWriter problems;

	public TenantWebFilter(ProblemWriter problems) {
		this.problems = problems;
	}

	@Override
	public int getOrder() {
		// Spring Security's WebFilterChainProxy runs at -100
		return 0;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return exchange.getPrincipal()
			.map((principal) -> {
				exchange.getAttributes().put(CLIENT_ID_ATTRIBUTE, principal.getName());
				// only a bearer token can carry a tenant; the other principal there is, the operator on the
				// management port (HTTP Basic), reads metrics and health, never tenant data (and a transaction
				// without a tenant scope is refused anyway)
				return (principal instanceof JwtAuthenticationToken token) ? resolve(token, exchange)
						: Resolution.ANONYMOUS;
			})
			.defaultIfEmpty(Resolution.ANONYMOUS)
			.flatMap((resolution) -> {
				if (resolution.tenant() != null) {
					String tenant = resolution.tenant().toString();
					exchange.getAttributes().put(TENANT_ATTRIBUTE, tenant);
					ServerRequestObservationContext.findCurrent(exchange.getAttributes())
						.ifPresent((observation) -> observation.addHighCardinalityKeyValue(KeyValue.of("scalarhub.tenant", tenant)));
					return chain.filter(exchange).contextWrite(TenantScope.with(resolution.tenant()));
				}
				if (!resolution.authenticated()) {
					// public paths (API docs, the token endpoint at the gateway): no data of any tenant behind them
					return chain.filter(exchange);
				}
				return this.problems.write(exchange, new ApiProblem(HttpStatus.FORBIDDEN, TENANT_REQUIRED, "Forbidden",
						"The access token does not name a tenant this request could act for.", List.of(), Map.of()));
			});
	}

	private static Resolution resolve(JwtAuthenticationToken token, ServerWebExchange exchange) {
		Object claim = token.getToken().getClaims().get(TenantScope.CLAIM);
		if (claim != null) {
			return new Resolution(parse(claim.toString()), true);
		}
		boolean platformService = token.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.anyMatch(INTERNAL_SCOPE::equals);
		String header = exchange.getRequest().getHeaders().getFirst(TenantScope.HEADER);
		return (platformService && header != null) ? new Resolution(parse(header), true) : Resolution.NONE;
	}

	private static UUID parse(String tenant) {
		try {
			return UUID.fromString(tenant);
		}
		catch (IllegalArgumentException notAUuid) {
			return null;
		}
	}

	/** The tenant the caller acts for; {@code null} with a token that names none (or none usable). */
	private record Resolution(UUID tenant, boolean authenticated) {

		static final Resolution NONE = new Resolution(null, true);

		static final Resolution ANONYMOUS = new Resolution(null, false);

	}

}
