package io.scalarhub.gateway.resilience;

import org.springframework.cloud.gateway.filter.headers.observation.DefaultGatewayObservationConvention;

/**
 * The gateway's proxied calls, observed under a name of their own. The stock convention reuses
 * {@code http.client.requests}, which the WebClient (JWKS fetches) also records with other tag keys; the
 * Prometheus registry refuses a second tag set for one name and warns. Separate names keep both: this one
 * carries the route id, method, status and upstream URI of every proxied call.
 */
public class UpstreamObservationConvention extends DefaultGatewayObservationConvention {

	public static final String NAME = "scalarhub.gateway.upstream.requests";

	@Override
	public String getName() {
		return NAME;
	}

}
