package io.scalarhub.gateway;

import java.io.IOException;
import java.net.ServerSocket;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestRedis;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What config-server gives a running gateway, for a gateway under test: the token issuer, Redis, and
 * routes to real HTTP backends on loopback, each with its circuit breaker as in deploy/config/gateway.yml.
 */
final class GatewayTestProperties {

	private static final String ROUTES = "spring.cloud.gateway.server.webflux.routes";

	private final DynamicPropertyRegistry registry;

	private int routes;

	private int filters;

	private GatewayTestProperties(DynamicPropertyRegistry registry) {
		this.registry = registry;
	}

	/** Issuer and the shared test Redis; the routes follow. */
	/** The operator's password on the gateway's management port (user scalarhub-ops). */
	static final String OPERATOR_PASSWORD = "operator-password-for-gateway-tests";

	static GatewayTestProperties register(DynamicPropertyRegistry registry, TestJwtIssuer issuer) {
		ServiceTestProperties.registerIssuer(registry, issuer);
		registry.add("scalarhub.management.password", () -> OPERATOR_PASSWORD);
		registry.add("spring.data.redis.host", () -> TestRedis.address().host());
		registry.add("spring.data.redis.port", () -> TestRedis.address().port());
		return new GatewayTestProperties(registry);
	}

	/** A route for {@code paths} to {@code uri} behind the circuit breaker {@code breaker}. */
	GatewayTestProperties route(String id, String uri, String paths, String breaker) {
		String route = ROUTES + "[" + this.routes++ + "]";
		this.registry.add(route + ".id", () -> id);
		this.registry.add(route + ".uri", () -> uri);
		this.registry.add(route + ".predicates[0]", () -> "Path=" + paths);
		this.registry.add(route + ".filters[0].name", () -> "CircuitBreaker");
		this.registry.add(route + ".filters[0].args.name", () -> breaker);
		this.registry.add(route + ".filters[0].args.fallbackUri", () -> "forward:/fallback/" + breaker);
		this.filters = 1;
		return this;
	}

	/** Adds a filter (shortcut form, e.g. {@code LocalResponseCache=60s,1MB}) to the last route. */
	GatewayTestProperties filter(String filter) {
		String name = ROUTES + "[" + (this.routes - 1) + "].filters[" + this.filters++ + "]";
		this.registry.add(name, () -> filter);
		return this;
	}

	/** Also gives the route a response timeout (milliseconds), as the route metadata in config-server does. */
	GatewayTestProperties responseTimeout(int millis) {
		this.registry.add(ROUTES + "[" + (this.routes - 1) + "].metadata.response-timeout", () -> millis);
		return this;
	}

	GatewayTestProperties tier(String tier, int capacity, double refillPerSecond) {
		String prefix = "scalarhub.gateway.rate-limit.tiers." + tier;
		this.registry.add(prefix + ".capacity", () -> capacity);
		this.registry.add(prefix + ".refill-per-second", () -> refillPerSecond);
		return this;
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
