package io.scalarhub.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The suite as {@code deploy/suite.yml} lists it: every app, its ports, database, the apps it calls and the public
 * routes the gateway sends to it. Everything that names the apps is generated from or checked against this.
 */
public record Suite(List<App> apps) {

	/** Where the list lives, relative to the repository's root. */
	public static final String MANIFEST = "deploy/suite.yml";

	/**
	 * The registry (Eureka): every app but config-server registers with or replicates through it. Named here, as
	 * the apps' own configuration names it (SCALARHUB_DISCOVERY_URL and the eureka_sd scrape point at it).
	 */
	public static final String REGISTRY = "discovery";

	/** A management port (probes, metrics) is always its app's port plus this. */
	public static final int MANAGEMENT_PORT_SHIFT = 10000;

	/**
	 * One JVM option as {@code jvm-options} may list it: a dash, then no blank, quote, {@code $} or backslash, so that
	 * the option reaches the JVM unchanged through a shell word, a YAML scalar and a Dockerfile's build argument.
	 */
	static final String JVM_OPTION = "-[A-Za-z0-9:=+.,_/%@-]+";

	public Suite {
		apps = List.copyOf(apps);
		validate(apps);
	}

	/** Reads the manifest of the repository at {@code root}. */
	public static Suite load(Path root) {
		YAMLMapper mapper = YAMLMapper.builder()
			.propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			// an absent flag (replica, redis, starts-first) is false
			.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.build();
		try {
			return mapper.readValue(Files.readString(root.resolve(MANIFEST)), Suite.class);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException("cannot read " + root.resolve(MANIFEST), ex);
		}
	}

	/** The repository's root: the nearest folder at or above the working directory that has the manifest. */
	public static Path repositoryRoot() {
		Path dir = Path.of("").toAbsolutePath();
		for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
			if (Files.isRegularFile(candidate.resolve(MANIFEST))) {
				return candidate;
			}
		}
		throw new IllegalStateException("no " + MANIFEST + " at or above " + dir);
	}

	public App app(String name) {
		return find(name).orElseThrow(() -> new IllegalArgumentException("no app " + name + " in " + MANIFEST));
	}

	public Optional<App> find(String name) {
		return this.apps.stream().filter((app) -> app.name().equals(name)).findFirst();
	}

	public List<App> ofKind(Kind kind) {
		return this.apps.stream().filter((app) -> app.kind() == kind).toList();
	}

	/** The domain services: scalable, found through Eureka. */
	public List<App> services() {
		return ofKind(Kind.SERVICE);
	}

	/** Every public route with the app it goes to, in the order the gateway matches them. */
	public List<RoutedPath> routes() {
		List<RoutedPath> routes = new ArrayList<>();
		this.apps.forEach((app) -> app.routes().forEach((route) -> routes.add(new RoutedPath(app, route))));
		routes.sort(Comparator.comparingInt((RoutedPath routed) -> routed.route().order()));
		return routes;
	}

	/**
	 * The apps {@code app} sends requests to over the network: config-server, discovery and auth-server (every
	 * app but those three), the apps it lists under {@code calls} and, for the gateway, every app with a route.
	 * discovery and auth-server import their configuration too, and auth-server registers in the registry.
	 */
	public Set<String> callees(App app) {
		Set<String> callees = new LinkedHashSet<>();
		if (app.kind() != Kind.INFRASTRUCTURE) {
			ofKind(Kind.INFRASTRUCTURE).forEach((infrastructure) -> callees.add(infrastructure.name()));
		}
		else if (!app.startsFirst()) {
			ofKind(Kind.INFRASTRUCTURE).stream().filter(App::startsFirst).forEach((first) -> callees.add(first.name()));
			callees.add(REGISTRY);
		}
		callees.addAll(app.calls());
		if (app.kind() == Kind.EDGE) {
			routes().forEach((routed) -> callees.add(routed.app().name()));
		}
		callees.remove(app.name());
		return callees;
	}

	/** The databases the suite's PostgreSQL must have, in the manifest's order. */
	public List<String> databases() {
		return this.apps.stream().map(App::database).filter((db) -> db != null).toList();
	}

	private static void validate(List<App> apps) {
		Set<String> names = new HashSet<>();
		Set<Integer> ports = new HashSet<>();
		Set<String> routeIds = new HashSet<>();
		apps.forEach((app) -> {
			require(app.name() != null && app.name().matches("[a-z][a-z0-9-]*"), "app name " + app.name());
			require(names.add(app.name()), "app " + app.name() + " listed twice");
			require(app.kind() != null, app.name() + ": kind");
			require(ports.add(app.port()) && ports.add(app.managementPort()), app.name() + ": port taken");
			require(!app.replica() || app.database() != null, app.name() + ": a replica needs a database");
			app.routes().forEach((route) -> require(routeIds.add(route.id()), "route id " + route.id() + " twice"));
			app.jvmOptionList()
				.forEach((option) -> require(option.matches(JVM_OPTION), app.name() + ": JVM option " + option));
		});
		apps.forEach((app) -> app.calls()
			.forEach((callee) -> require(names.contains(callee), app.name() + " calls unknown app " + callee)));
		require(apps.stream().filter(App::startsFirst).count() == 1, "exactly one app starts first");
		require(apps.stream().filter((app) -> app.kind() == Kind.EDGE).count() == 1, "exactly one edge app");
		require(apps.stream().anyMatch((app) -> app.name().equals(REGISTRY) && app.kind() == Kind.INFRASTRUCTURE),
				"the registry, " + REGISTRY + ", is an infrastructure app");
	}

	private static void require(boolean condition, String what) {
		if (!condition) {
			throw new IllegalArgumentException(MANIFEST + ": " + what);
		}
	}

	public enum Kind {

		@JsonProperty("infrastructure")
		INFRASTRUCTURE,

		@JsonProperty("service")
		SERVICE,

		@JsonProperty("edge")
		EDGE

	}

	/** One app of the suite (a Maven module with a Spring Boot application). */
	public record App(String name, Kind kind, int port, boolean startsFirst, String database, boolean replica,
			boolean redis, List<String> calls, String apiDocs, List<Route> routes, String jvmOptions) {

		public App {
			calls = (calls != null) ? List.copyOf(calls) : List.of();
			routes = (routes != null) ? List.copyOf(routes) : List.of();
			jvmOptions = (jvmOptions != null) ? jvmOptions.strip() : "";
		}

		/** Its own JVM options ({@code jvm-options}), one per element; empty when it has none. */
		public List<String> jvmOptionList() {
			return this.jvmOptions.isEmpty() ? List.of() : List.of(this.jvmOptions.split("\\s+"));
		}

		public int managementPort() {
			return this.port + MANAGEMENT_PORT_SHIFT;
		}

	}

	/**
	 * A public route: paths, the scopes a token needs (none: public), and what the gateway does on it. {@code uri}
	 * is set only where the gateway must not look the app up in Eureka (auth-server, reached at its configured
	 * address so that client secrets never go to whatever registers under its name).
	 */
	public record Route(String id, int order, List<String> paths, String read, String write, Integer responseTimeout,
			String cacheTtl, String uri) {

		/** The response timeout when a route names none, in milliseconds. */
		public static final int DEFAULT_RESPONSE_TIMEOUT = 5000;

		public Route {
			paths = List.copyOf(paths);
			responseTimeout = (responseTimeout != null) ? responseTimeout : DEFAULT_RESPONSE_TIMEOUT;
		}

		public boolean isPublic() {
			return this.read == null && this.write == null;
		}

	}

	/** A route and the app it sends requests to. */
	public record RoutedPath(App app, Route route) {
	}

}
