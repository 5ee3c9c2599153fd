package io.scalarhub.suite;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;

/**
 * {@code deploy/compose/suite.yml}: the apps of the full-stack compose project, one service each, built from
 * {@code deploy/images/Dockerfile}. Each gets the environment deploy/local/lib.sh gives it locally (its database,
 * the apps it reaches, only the secrets it needs), a readiness health check, and {@code depends_on} on what it needs
 * ready first. The infrastructure (PostgreSQL, its replica, Redis) and observability services are hand-written
 * beside it ({@code infrastructure.yml}, {@code observability.yml}).
 */
final class ComposeServices implements DerivedFile {

	/** Inside the compose network every app listens on its manifest port, so that its URLs need no mapping. */
	static final String PG_HOST = "postgres";

	static final int PG_PORT = 5432;

	/** The replica shares the primary's network namespace (infrastructure.yml), so it is the same host. */
	static final int PG_REPLICA_PORT = 5433;

	/**
	 * Apps whose context reads their database while it refreshes, so that the image's AOT training run (no
	 * database at build time) cannot complete: auth-server loads its signing key set. They are built without a cache.
	 */
	static final Set<String> NO_AOT_TRAINING = Set.of("auth-server");

	@Override
	public String path() {
		return "deploy/compose/suite.yml";
	}

	@Override
	public String render(Suite suite, String current) {
		StringBuilder out = new StringBuilder(DerivedFile.header("#"));
		out.append("""
				# The suite's apps in the full-stack compose project; deploy/compose/README.md says how to run it. Used with
				# infrastructure.yml and observability.yml (COMPOSE_FILE in .env, from env.example). Every secret comes from
				# .env, which is never committed: compose refuses to start while one is missing, and names it.
				services:
				""");
		for (App app : suite.apps()) {
			service(out, suite, app);
		}
		out.append("""

				  # the databases the apps own (deploy/suite.yml), created by postgres/init-primary.sh on the first start
				  postgres:
				    environment:
				""");
		out.append("      SCALARHUB_DATABASES: \"").append(String.join(" ", suite.databases())).append("\"\n");
		return out.toString();
	}

	private static void service(StringBuilder out, Suite suite, App app) {
		String name = app.name();
		out.append("\n  ").append(name).append(":\n");
		out.append("    image: scalarhub/").append(name).append(":${SCALARHUB_IMAGE_TAG:-local}\n");
		out.append("    build:\n");
		out.append("      context: ../..\n");
		out.append("      dockerfile: deploy/images/Dockerfile\n");
		out.append("      args: { APP: ").append(name).append(", PORT: \"").append(app.port())
			.append("\", MANAGEMENT_PORT: \"").append(app.managementPort()).append('"');
		if (NO_AOT_TRAINING.contains(name)) {
			out.append(", AOT_CACHE: none");
		}
		if (!app.jvmOptions().isEmpty()) {
			out.append(", JVM_OPTIONS: \"").append(String.join(" ", app.jvmOptionList())).append('"');
		}
		out.append(" }\n");
		out.append("    environment:\n");
		environment(out, suite, app);
		if (app.startsFirst()) {
			out.append("    volumes:\n");
			out.append("      - ../config:/config:ro\n");
		}
		if (app.kind() == Kind.EDGE) {
			// the one public door (docs/operations.md "Ports"); every other port stays on the compose network
			out.append("    ports:\n");
			out.append("      - \"${SCALARHUB_GATEWAY_PUBLISH:-127.0.0.1:").append(app.port()).append("}:")
				.append(app.port()).append("\"\n");
		}
		out.append("    healthcheck:\n");
		out.append("      test: [ \"CMD\", \"scalarhub-health\", \"readiness\" ]\n");
		out.append("      interval: 5s\n");
		out.append("      timeout: 3s\n");
		out.append("      retries: 3\n");
		// nine JVMs starting at once on a laptop's cores: up to minutes before the first ready answer
		out.append("      start_period: 240s\n");
		Set<String> needs = startsAfter(suite, app);
		if (!needs.isEmpty()) {
			out.append("    depends_on:\n");
			needs.forEach((dependency) -> out.append("      ").append(dependency)
				.append(": { condition: service_healthy }\n"));
		}
		// a service drains for 15 s before its web server stops (scalarhub.shutdown.drain-delay), then finishes
		// what is in flight; Docker's default 10 s would kill it mid-drain
		out.append("    stop_grace_period: 45s\n");
		out.append("    restart: unless-stopped\n");
	}

	private static void environment(StringBuilder out, Suite suite, App app) {
		App first = suite.apps().stream().filter(App::startsFirst).findFirst().orElseThrow();
		env(out, "SCALARHUB_MANAGEMENT_PASSWORD", secret("SCALARHUB_MANAGEMENT_PASSWORD"));
		// every app traces to Jaeger (observability.yml), over OTLP/HTTP as locally
		env(out, "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", "http://jaeger:4318/v1/traces");
		if (app.startsFirst()) {
			// config-server checks its own password and never holds the key that decrypts what it serves
			env(out, "SCALARHUB_CONFIG_SERVER_PASSWORD", secret("SCALARHUB_CONFIG_SERVER_PASSWORD"));
			env(out, "SCALARHUB_CONFIG_DIR", "/config");
			return;
		}
		env(out, "SCALARHUB_CONFIG_URL", "http://" + first.name() + ":" + first.port());
		// no settings without config-server: an app that cannot import them exits (compose restarts it)
		env(out, "SPRING_CLOUD_CONFIG_FAIL_FAST", "true");
		// "demo" registers the README's demo API clients (deploy/config/auth-server-demo.yml): a stack to try the API on
		env(out, "SPRING_PROFILES_ACTIVE", "${SCALARHUB_PROFILES:-demo}");
		env(out, "SPRING_CLOUD_CONFIG_USERNAME", "scalarhub");
		env(out, "SPRING_CLOUD_CONFIG_PASSWORD", secret("SCALARHUB_CONFIG_SERVER_PASSWORD"));
		env(out, "SCALARHUB_DISCOVERY_PASSWORD", secret("SCALARHUB_DISCOVERY_PASSWORD"));
		env(out, "ENCRYPT_KEY", secret("ENCRYPT_KEY"));
		suite.find("discovery")
			.ifPresent((discovery) -> env(out, "SCALARHUB_DISCOVERY_URL",
					"http://" + discovery.name() + ":" + discovery.port() + "/eureka/"));
		suite.find("auth-server")
			.ifPresent((auth) -> env(out, "SCALARHUB_AUTH_URL", "http://" + auth.name() + ":" + auth.port()));
		App edge = suite.ofKind(Kind.EDGE).get(0);
		// the issuer of every token: the address clients reach the gateway at
		env(out, "SCALARHUB_PUBLIC_URL", "${SCALARHUB_PUBLIC_URL:-http://localhost:" + edge.port() + "}");
		// registered in Eureka with the container's own address (Spring Cloud's first non-loopback one), so that
		// callers and Prometheus reach this instance, not whichever one the service name resolves to
		env(out, "SCALARHUB_ADVERTISED_ADDRESS", "$${spring.cloud.client.ip-address}");
		if (app.database() != null) {
			env(out, "SCALARHUB_PG_HOST", PG_HOST);
			env(out, "SCALARHUB_PG_PORT", String.valueOf(PG_PORT));
			if (app.replica()) {
				env(out, "SCALARHUB_PG_REPLICA_PORT", String.valueOf(PG_REPLICA_PORT));
			}
			env(out, "SCALARHUB_DB_PASSWORD", secret("SCALARHUB_DB_PASSWORD"));
		}
		if (app.redis()) {
			env(out, "SCALARHUB_REDIS_HOST", "redis");
			env(out, "SCALARHUB_REDIS_PORT", "6379");
		}
		if (app.name().equals("auth-server")) {
			// its signing keys are encrypted in the auth database with this
			env(out, "SCALARHUB_AUTH_KEYS_ENCRYPTIONPASSWORD", secret("SCALARHUB_AUTH_KEYS_PASSWORD"));
		}
	}

	/**
	 * What must be ready before {@code app} starts: its database (and replica) or Redis, and the apps it calls,
	 * except a callee that calls {@code app} back, directly or through others: compose cannot order a cycle, and a
	 * service reaches the others through Eureka and its circuit breakers whenever they come.
	 */
	static Set<String> startsAfter(Suite suite, App app) {
		Set<String> needs = new LinkedHashSet<>();
		if (app.database() != null) {
			needs.add("postgres");
			if (app.replica()) {
				needs.add("postgres-replica");
			}
		}
		if (app.redis()) {
			needs.add("redis");
		}
		suite.callees(app)
			.stream()
			.filter((callee) -> !reaches(suite, suite.app(callee), app.name()))
			.forEach(needs::add);
		return needs;
	}

	/** {@code from} calls {@code target}, directly or through the apps it calls. */
	static boolean reaches(Suite suite, App from, String target) {
		Set<String> seen = new HashSet<>();
		Deque<String> next = new ArrayDeque<>(List.of(from.name()));
		while (!next.isEmpty()) {
			String name = next.pop();
			if (!seen.add(name)) {
				continue;
			}
			for (String callee : suite.callees(suite.app(name))) {
				if (callee.equals(target)) {
					return true;
				}
				next.push(callee);
			}
		}
		return false;
	}

	private static String secret(String name) {
		return "${" + name + ":?set " + name + " in deploy/compose/.env (see env.example)}";
	}

	private static void env(StringBuilder out, String name, String value) {
		out.append("      ").append(name).append(": \"").append(value).append("\"\n");
	}

}
