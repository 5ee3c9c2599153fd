package io.scalarhub.suite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The full-stack compose project (deploy/compose) as docker-compose itself reads it: the files env.example names,
 * merged and interpolated by {@code docker-compose config}, with a value for every secret env.example asks for.
 * Every app of the manifest must be a service with a readiness health check, start after what it needs, and only the
 * gateway may publish a port; a missing secret must stop compose with its name. No Docker engine is needed (none
 * exists on the build machines), only the docker-compose binary: missing, the test fails and says how to install it.
 */
class ComposeProjectTest {

	private static final Path ROOT = Suite.repositoryRoot();

	private static final Path COMPOSE_DIR = ROOT.resolve("deploy/compose");

	private static final Suite SUITE = Suite.load(ROOT);

	private static final Duration COMPOSE_TIMEOUT = Duration.ofSeconds(60);

	/** env.example's settings: COMPOSE_FILE and the project's name, and the secrets (empty there). */
	private static Map<String, String> example;

	private static Map<String, String> secrets;

	private static JsonNode services;

	@TempDir
	static Path temp;

	@BeforeAll
	static void readTheProjectAsComposeDoes() throws Exception {
		example = new LinkedHashMap<>();
		secrets = new LinkedHashMap<>();
		Matcher setting = Pattern.compile("(?m)^([A-Z_]+)=(.*)$").matcher(Files.readString(COMPOSE_DIR.resolve("env.example")));
		while (setting.find()) {
			if (setting.group(2).isEmpty()) {
				// a value of the test's own, for each secret the user must choose
				secrets.put(setting.group(1), "test-" + setting.group(1).toLowerCase() + "-0123456789");
			}
			else {
				example.put(setting.group(1), setting.group(2));
			}
		}
		assertThat(example).as("env.example names the files of the project").containsKey("COMPOSE_FILE");
		Result validated = compose(withSecrets(Map.of()), "config", "-q");
		assertThat(validated.exitCode()).as("docker-compose config -q:\n%s", validated.stderr()).isZero();
		Result merged = compose(withSecrets(Map.of()), "config");
		assertThat(merged.exitCode()).as("docker-compose config:\n%s", merged.stderr()).isZero();
		services = YAMLMapper.builder().build().readTree(merged.stdout()).path("services");
	}

	@Test
	void everyAppIsAServiceBuiltFromTheOneDockerfileWithItsManifestPorts() {
		for (App app : SUITE.apps()) {
			JsonNode service = service(app.name());
			assertThat(service.path("image").asString()).as(app.name()).startsWith("scalarhub/" + app.name() + ":");
			assertThat(service.path("build").path("dockerfile").asString()).as(app.name())
				.isEqualTo("deploy/images/Dockerfile");
			assertThat(Path.of(service.path("build").path("context").asString())).as(app.name() + "'s build context")
				.isEqualTo(ROOT);
			JsonNode args = service.path("build").path("args");
			assertThat(args.path("APP").asString()).isEqualTo(app.name());
			assertThat(args.path("PORT").asString()).as(app.name()).isEqualTo(String.valueOf(app.port()));
			assertThat(args.path("MANAGEMENT_PORT").asString()).as(app.name())
				.isEqualTo(String.valueOf(app.managementPort()));
			// the image writes them to its jvm.args (ImageLayoutTest runs that step)
			assertThat(args.path("JVM_OPTIONS").asString("")).as("%s's JVM options", app.name())
				.isEqualTo(String.join(" ", app.jvmOptionList()));
		}
	}

	@Test
	void theBuildArgumentsAndTheHealthCheckAreTheDockerfiles() throws IOException {
		String dockerfile = Files.readString(ROOT.resolve("deploy/images/Dockerfile"));
		Set<String> declared = new HashSet<>();
		Matcher arg = Pattern.compile("(?m)^ARG (\\w+)").matcher(dockerfile);
		while (arg.find()) {
			declared.add(arg.group(1));
		}
		Matcher installed = Pattern.compile("COPY deploy/images/healthcheck\\.sh /usr/local/bin/(\\S+)").matcher(dockerfile);
		assertThat(installed.find()).as("the Dockerfile installs healthcheck.sh").isTrue();
		for (App app : SUITE.apps()) {
			JsonNode service = service(app.name());
			service.path("build").path("args").propertyNames()
				.forEach((name) -> assertThat(declared).as("%s's build argument %s is an ARG of the Dockerfile", app.name(), name)
					.contains(name));
			assertThat(service.path("healthcheck").path("test").get(1).asString()).as("%s's health check command", app.name())
				.isEqualTo(installed.group(1));
		}
	}

	@Test
	void everyAppHasAReadinessHealthCheckAndStartsAfterWhatItNeeds() {
		for (App app : SUITE.apps()) {
			JsonNode service = service(app.name());
			assertThat(service.path("healthcheck").path("test").valueStream().map(JsonNode::asString))
				.as("%s's health check", app.name())
				.containsExactly("CMD", "scalarhub-health", "readiness");
			Map<String, String> dependsOn = dependsOn(service);
			assertThat(dependsOn.keySet()).as("%s's depends_on", app.name())
				.containsExactlyInAnyOrderElementsOf(ComposeServices.startsAfter(SUITE, app));
			assertThat(dependsOn.values()).as("%s waits until each is healthy", app.name())
				.allMatch("service_healthy"::equals);
			if (app.database() != null) {
				assertThat(dependsOn).containsKey("postgres");
				assertThat(env(service, "SCALARHUB_PG_HOST")).isEqualTo("postgres");
				assertThat(env(service, "SCALARHUB_DB_PASSWORD")).isEqualTo(secrets.get("SCALARHUB_DB_PASSWORD"));
			}
			if (app.replica()) {
				assertThat(dependsOn).containsKey("postgres-replica");
			}
			if (app.redis()) {
				assertThat(dependsOn).containsKey("redis");
			}
			// every callee, unless it calls this app back (compose cannot order a cycle)
			SUITE.callees(app)
				.stream()
				.filter((callee) -> !ComposeServices.reaches(SUITE, SUITE.app(callee), app.name()))
				.forEach((callee) -> assertThat(dependsOn).as("%s calls %s", app.name(), callee).containsKey(callee));
		}
		// the gateway comes last: it starts after every app it routes to
		App edge = SUITE.ofKind(Kind.EDGE).get(0);
		assertThat(dependsOn(service(edge.name())).keySet()).containsAll(SUITE.services().stream().map(App::name).toList());
	}

	@Test
	void whatIsWaitedForHasAHealthCheckAndTheOrderHasNoCycle() {
		Map<String, Set<String>> graph = new HashMap<>();
		services.propertyNames().forEach((name) -> {
			Map<String, String> dependsOn = dependsOn(services.path(name));
			graph.put(name, dependsOn.keySet());
			dependsOn.forEach((dependency, condition) -> {
				assertThat(services.has(dependency)).as("%s depends on %s", name, dependency).isTrue();
				if (condition.equals("service_healthy")) {
					assertThat(services.path(dependency).has("healthcheck"))
						.as("%s waits for %s to be healthy: it needs a health check", name, dependency)
						.isTrue();
				}
			});
		});
		Set<String> done = new HashSet<>();
		graph.keySet().forEach((name) -> visit(name, graph, new ArrayList<>(), done));
	}

	@Test
	void onlyTheGatewayAndTheObservabilityUisArePublishedAndOnlyOnThisMachine() {
		Set<String> published = new HashSet<>();
		services.propertyNames().forEach((name) -> {
			if (services.path(name).has("ports")) {
				published.add(name);
			}
		});
		assertThat(published).containsExactlyInAnyOrder(SUITE.ofKind(Kind.EDGE).get(0).name(), "jaeger", "prometheus",
				"grafana");
		// on this machine only: the gateway unless the user opens it (SCALARHUB_GATEWAY_PUBLISH), and the UIs (no
		// login) and OTLP always (docker-compose 1.29 prints the short form, host:published:target; Compose v2 the
		// long one)
		for (String name : published) {
			for (JsonNode port : service(name).path("ports")) {
				String hostIp = port.isString() ? port.asString().split(":")[0] : port.path("host_ip").asString();
				assertThat(hostIp).as("%s's published port %s", name, port).isEqualTo("127.0.0.1");
			}
		}
	}

	@Test
	void eachAppGetsOnlyTheSecretsItNeeds() {
		App first = SUITE.apps().stream().filter(App::startsFirst).findFirst().orElseThrow();
		JsonNode configServer = service(first.name()).path("environment");
		assertThat(configServer.has("ENCRYPT_KEY")).as("config-server never holds the decryption key").isFalse();
		assertThat(configServer.path("SCALARHUB_CONFIG_SERVER_PASSWORD").asString())
			.isEqualTo(secrets.get("SCALARHUB_CONFIG_SERVER_PASSWORD"));
		for (App app : SUITE.apps()) {
			JsonNode environment = service(app.name()).path("environment");
			assertThat(environment.has("SCALARHUB_DB_PASSWORD")).as(app.name()).isEqualTo(app.database() != null);
			assertThat(environment.has("SCALARHUB_AUTH_KEYS_ENCRYPTIONPASSWORD")).as(app.name())
				.isEqualTo(app.name().equals("auth-server"));
			if (!app.startsFirst()) {
				assertThat(environment.path("ENCRYPT_KEY").asString()).as(app.name())
					.isEqualTo(secrets.get("ENCRYPT_KEY"));
				assertThat(environment.has("SCALARHUB_CONFIG_SERVER_PASSWORD")).as(app.name()).isFalse();
			}
		}
	}

	@Test
	void aMissingSecretStopsComposeWithItsName() throws Exception {
		assertThat(secrets).as("env.example's secrets").isNotEmpty();
		for (String secret : secrets.keySet()) {
			Map<String, String> without = withSecrets(Map.of());
			without.remove(secret);
			Result result = compose(without, "config", "-q");
			assertThat(result.exitCode()).as("docker-compose config without %s", secret).isNotZero();
			assertThat(result.stderr()).as("docker-compose config without %s", secret)
				.contains(secret + " in deploy/compose/.env");
		}
	}

	private static void visit(String name, Map<String, Set<String>> graph, List<String> path, Set<String> done) {
		if (done.contains(name)) {
			return;
		}
		if (path.contains(name)) {
			fail("depends_on has a cycle: %s -> %s", String.join(" -> ", path), name);
		}
		path.add(name);
		graph.getOrDefault(name, Set.of()).forEach((next) -> visit(next, graph, path, done));
		path.remove(path.size() - 1);
		done.add(name);
	}

	private static JsonNode service(String name) {
		JsonNode service = services.path(name);
		assertThat(service.isMissingNode()).as("compose service %s", name).isFalse();
		return service;
	}

	private static String env(JsonNode service, String name) {
		return service.path("environment").path(name).asString(null);
	}

	private static Map<String, String> dependsOn(JsonNode service) {
		Map<String, String> dependsOn = new LinkedHashMap<>();
		service.path("depends_on").properties()
			.forEach((entry) -> dependsOn.put(entry.getKey(), entry.getValue().path("condition").asString()));
		return dependsOn;
	}

	/** The environment compose gets: env.example's settings, the test's secrets, nothing inherited of ours. */
	private static Map<String, String> withSecrets(Map<String, String> extra) {
		Map<String, String> environment = new LinkedHashMap<>(example);
		environment.putAll(secrets);
		environment.putAll(extra);
		return environment;
	}

	private static Result compose(Map<String, String> environment, String... args) throws IOException, InterruptedException {
		Path binary = dockerCompose();
		// an empty env file: a developer's own deploy/compose/.env must not decide the outcome
		Path emptyEnvFile = temp.resolve("empty.env");
		if (!Files.exists(emptyEnvFile)) {
			Files.createFile(emptyEnvFile);
		}
		List<String> command = new ArrayList<>(List.of(binary.toString(), "--env-file", emptyEnvFile.toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(COMPOSE_DIR.toFile());
		builder.environment().keySet().removeIf((name) -> name.startsWith("COMPOSE_") || name.startsWith("SCALARHUB_")
				|| name.equals("ENCRYPT_KEY") || name.startsWith("DOCKER_"));
		builder.environment().putAll(environment);
		Path out = temp.resolve("compose.out");
		Path err = temp.resolve("compose.err");
		Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!process.waitFor(COMPOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			process.destroyForcibly();
			fail("%s did not finish within %s", String.join(" ", command), COMPOSE_TIMEOUT);
		}
		return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8));
	}

	/** docker-compose on the PATH (Debian's package, 1.29); its absence fails the test, it is never skipped. */
	private static Path dockerCompose() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
			Path candidate = Path.of(dir).resolve("docker-compose");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return fail("docker-compose is not installed: the compose project cannot be checked. Install it "
				+ "(Debian: apt-get install docker-compose; deploy/local/test.sh does so when run as root)");
	}

	private record Result(int exitCode, String stdout, String stderr) {
	}

}
