package io.scalarhub.suite;

import java.util.stream.Collectors;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;
import io.scalarhub.suite.Suite.Route;
import io.scalarhub.suite.Suite.RoutedPath;

/**
 * The gateway's public routes in {@code deploy/config/gateway.yml}: one per manifest route, behind the circuit
 * breaker of the app it calls, and one per service for its OpenAPI document (the Swagger UI's).
 */
final class GatewayRoutes implements DerivedFile {

	static final String BLOCK = "routes";

	/** Connecting to an instance: short, so that a dead one is ejected and the request retried on another. */
	static final int CONNECT_TIMEOUT_MS = 500;

	/**
	 * springdoc builds a document on its first request and caches it: seconds on a cold JVM (measured 3-5 s with two
	 * busy cores), so these routes wait longer than the API's.
	 */
	static final int API_DOCS_TIMEOUT_MS = 15000;

	@Override
	public String path() {
		return "deploy/config/gateway.yml";
	}

	@Override
	public String render(Suite suite, String current) {
		StringBuilder out = new StringBuilder();
		for (RoutedPath routed : suite.routes()) {
			App app = routed.app();
			Route route = routed.route();
			out.append("            - id: ").append(route.id()).append('\n');
			out.append("              uri: ").append((route.uri() != null) ? route.uri() : "lb://" + app.name()).append('\n');
			if (route.order() != 0) {
				out.append("              order: ").append(route.order()).append('\n');
			}
			out.append("              predicates:\n");
			out.append("                - Path=").append(String.join(",", route.paths())).append('\n');
			out.append("              filters:\n");
			out.append("                - name: CircuitBreaker\n");
			out.append("                  args: { name: ").append(app.name())
				.append(", fallbackUri: \"forward:/fallback/").append(app.name()).append("\" }\n");
			if (route.cacheTtl() != null) {
				out.append("                - CacheStatus\n");
				out.append("                - name: LocalResponseCache\n");
				out.append("                  args: { timeToLive: ").append(route.cacheTtl()).append(", size: 20MB }\n");
			}
			out.append("              metadata: { connect-timeout: ").append(CONNECT_TIMEOUT_MS)
				.append(", response-timeout: ").append(route.responseTimeout()).append(" }\n");
		}
		for (App app : suite.ofKind(Kind.SERVICE)) {
			if (app.apiDocs() == null) {
				continue;
			}
			out.append("            - id: api-docs-").append(app.name()).append('\n');
			out.append("              uri: lb://").append(app.name()).append('\n');
			out.append("              predicates:\n");
			out.append("                - Path=/api-docs/").append(app.name()).append('\n');
			out.append("              filters:\n");
			out.append("                - SetPath=/v3/api-docs\n");
			out.append("              metadata: { response-timeout: ").append(API_DOCS_TIMEOUT_MS).append(" }\n");
		}
		return DerivedFile.replaceBlock(current, BLOCK, out.toString());
	}

	static String scopeRules(Suite suite) {
		return suite.routes()
			.stream()
			.filter((routed) -> !routed.route().isPublic())
			.map((routed) -> "      - paths: [ " + routed.route().paths().stream().map((path) -> "\"" + path + "\"")
				.collect(Collectors.joining(", ")) + " ]\n" + "        read-scope: " + routed.route().read() + "\n"
					+ "        write-scope: " + routed.route().write() + "\n")
			.collect(Collectors.joining());
	}

}
