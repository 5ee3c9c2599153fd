package io.scalarhub.e2e;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.scalarhub.suite.Suite;
import io.scalarhub.suite.Suite.App;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What deploy/images/Dockerfile does to an app, done here on the real jars, since no image can be built on these
 * machines (no Docker engine, no registry): the layer extraction with the Dockerfile's own arguments, the layers it
 * copies in its order, the AOT cache's training run with its options, and a start with its ENTRYPOINT, waited on
 * with its HEALTHCHECK script. Every command line is read from the Dockerfile, with {@code /app} and the build's
 * bind mount mapped to folders here, so that the Dockerfile cannot drift from what this test proves. The apps run on
 * the JDK of the image's JRE (Temurin 25), installed beside the build's JDK 17.
 */
class ImageLayoutTest {

	private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

	private static final Suite SUITE = Suite.load(ROOT);

	private static final Dockerfile DOCKERFILE = Dockerfile.read(ROOT.resolve("deploy/images/Dockerfile"));

	/** Ports of no other suite here (they use offsets 0, 300 and 500-1100). */
	private static final int PORT_OFFSET = 1200;

	/** One JVM's context refresh and the cache it writes, on two shared cores. */
	private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(4);

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

	private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

	/** Training runs at a time: on two cores, two took 195 s for the nine apps, one at a time 235 s (2026-12-01). */
	private static final int PARALLEL_TRAININGS = 2;

	@TempDir
	Path work;

	@Test
	void theDockerfileCopiesWhatTheJarAndTheRepositoryHave() throws Exception {
		Path extracted = extract("discovery");
		// Spring Boot's own list of the jar's layers, in the order it recommends copying them (least changing first)
		assertThat(DOCKERFILE.layers()).as("the Dockerfile's COPY --from=layers, in order")
			.containsExactlyElementsOf(run(List.of(java().toString(), "-Djarmode=tools", "-jar", jar("discovery").toString(),
					"list-layers"), work, Map.of(), Duration.ofMinutes(1)).lines());
		try (Stream<Path> made = Files.list(extracted)) {
			assertThat(made.map((path) -> path.getFileName().toString())).as("what extract made")
				.containsExactlyInAnyOrderElementsOf(DOCKERFILE.layers());
		}
		// the application layer holds the jar the ENTRYPOINT runs, and its lib/ the project's own modules
		assertThat(extracted.resolve("application").resolve(DOCKERFILE.entrypointJar().getFileName().toString()))
			.isRegularFile();
		for (String source : DOCKERFILE.contextFiles()) {
			assertThat(ROOT.resolve(source)).as("a file the Dockerfile takes from the build context").isRegularFile();
			assertThat(DOCKERFILE.ignoreFile()).as("Dockerfile.dockerignore lets %s into the build context", source)
				.contains("!" + source);
		}
		assertThat(DOCKERFILE.ignoreFile()).contains("!*/target/*.jar");
		assertThat(DOCKERFILE.healthcheck().get(0)).as("the HEALTHCHECK runs the script the Dockerfile installs")
			.isEqualTo(DOCKERFILE.healthcheckInstalledAt());
	}

	@Test
	void discoveryStartsFromTheImageLayoutWithItsAotCacheAndAnswersTheHealthCheck() throws Exception {
		App app = SUITE.app("discovery");
		Path dir = assemble(app.name());
		// its own JVM options (deploy/suite.yml's jvm-options, C1 alone) reach the image's jvm.args, and the cache
		// is made and used with them
		assertThat(app.jvmOptionList()).as("discovery's jvm-options in deploy/suite.yml").isNotEmpty();
		assertThat(Files.readAllLines(dir.resolve("jvm.args"))).as("the image's jvm.args")
			.containsSubsequence(app.jvmOptionList())
			// as the local launcher runs every app on JDK 25 (LauncherJvmOptionsTest)
			.contains("-XX:+UseCompactObjectHeaders");
		Result training = train(dir, true);
		assertThat(training.exitCode()).as("the training run:\n%s", training.tail()).isZero();
		assertThat(dir.resolve("app.aot")).as("the AOT cache").isNotEmptyFile();
		Files.writeString(dir.resolve("jvm.args"), DOCKERFILE.cacheOption(dir) + "\n", StandardOpenOption.APPEND);

		int port = app.port() + PORT_OFFSET;
		int managementPort = app.managementPort() + PORT_OFFSET;
		Map<String, String> environment = new HashMap<>(DOCKERFILE.environment());
		environment.putAll(Map.of("SERVER_PORT", String.valueOf(port), "MANAGEMENT_SERVER_PORT",
				String.valueOf(managementPort),
				// the image listens on every interface; the test keeps to this machine's loopback
				"SERVER_ADDRESS", "127.0.0.1", "MANAGEMENT_SERVER_ADDRESS", "127.0.0.1",
				// no config-server here: an address where none answers (its import is optional)
				"SCALARHUB_CONFIG_URL", "http://127.0.0.1:" + (SUITE.app("config-server").port() + PORT_OFFSET),
				"SCALARHUB_MANAGEMENT_PASSWORD", UUID.randomUUID().toString(), "SCALARHUB_DISCOVERY_PASSWORD",
				UUID.randomUUID().toString()));
		assertThat(healthy(managementPort, "liveness")).as("nothing answers on %d before the start", managementPort)
			.isFalse();

		Path log = dir.resolve("app.log");
		// the ENTRYPOINT's java is the image's, Temurin 25; this machine's PATH has the build's JDK 17
		List<String> entrypoint = new ArrayList<>(DOCKERFILE.entrypoint(dir));
		assertThat(entrypoint.get(0)).isEqualTo("java");
		entrypoint.set(0, java().toString());
		Process process = start(entrypoint, dir, environment, log);
		try {
			long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
			while (!healthy(managementPort, "liveness")) {
				assertThat(process.isAlive()).as("discovery exited:\n%s", tail(log)).isTrue();
				assertThat(System.nanoTime() < deadline).as("liveness within %s:\n%s", START_TIMEOUT, tail(log)).isTrue();
				// the pause between polls, cut short if the JVM exits
				process.waitFor(250, TimeUnit.MILLISECONDS);
			}
			assertThat(healthy(managementPort, "readiness")).as("readiness, as compose asks it").isTrue();
			// a cache the JVM refused (another JDK, another class path) is reported at start and ignored
			assertThat(Files.readAllLines(log)).as("the JVM's start with the AOT cache")
				.noneMatch((line) -> line.matches(".*\\[(warning|error) *\\]\\[(aot|cds)\\].*"));
		}
		finally {
			process.destroy();
			if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor();
				fail("discovery ignored SIGTERM for %s:\n%s", STOP_TIMEOUT, tail(log));
			}
		}
		assertThat(healthy(managementPort, "liveness")).as("the health check fails once the app is gone").isFalse();
	}

	/**
	 * Each image's build makes its cache with the same training run: every app whose build does (the compose
	 * project's build arguments) must get through it with nothing else running, and an app built without one must still
	 * fail it, or its exception is stale. What can fail for one app and not another is its context's refresh without
	 * a database, registry or config-server, so that is what runs here for each: the Dockerfile's training command
	 * without its {@code -XX:AOTCacheOutput}. Making the cache is the JDK's work, the same for every app of the same
	 * layout and options, and costs more than the refresh (customer-service alone: 41 s of CPU with it, 16 s without);
	 * the discovery test above runs the command whole, and starts on the cache it makes. {@link #PARALLEL_TRAININGS}
	 * apps at a time, as a build of several images would: a JVM's start leaves part of the machine idle.
	 */
	@Test
	void everyAppsTrainingRunRefreshesItsContextWithoutInfrastructureUnlessItsBuildSkipsIt() throws Exception {
		Map<String, Map<String, String>> buildArgs = buildArgs();
		ExecutorService trainings = Executors.newFixedThreadPool(PARALLEL_TRAININGS);
		try {
			List<Future<?>> checked = new ArrayList<>();
			for (App app : SUITE.apps()) {
				checked.add(trainings.submit(() -> {
					checkTraining(app.name(), buildArgs.get(app.name()));
					return null;
				}));
			}
			for (Future<?> check : checked) {
				try {
					check.get();
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof Error error) {
						throw error;
					}
					throw ex;
				}
			}
		}
		finally {
			trainings.shutdownNow();
			assertThat(trainings.awaitTermination(TRAINING_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		}
	}

	private void checkTraining(String app, Map<String, String> buildArgs) throws Exception {
		Path dir = assemble(app);
		Result training = train(dir, false);
		if ("none".equals(buildArgs.get("AOT_CACHE"))) {
			assertThat(training.exitCode()).as("%s is built without an AOT cache (AOT_CACHE=none in "
					+ "deploy/compose/suite.yml) yet its training run completes: drop the exception", app)
				.isNotZero();
		}
		else {
			// the context refreshed, and its exit on refresh ended the JVM, as in the build (a failed start exits with 1)
			assertThat(training.exitCode()).as("%s's training run:\n%s", app, training.tail()).isZero();
		}
		deleteTree(dir.getParent());
	}

	/** The jar extracted as the Dockerfile's first stage does it. */
	private Path extract(String app) throws Exception {
		Path build = Files.createDirectories(this.work.resolve(app).resolve("build"));
		Files.copy(jar(app), build.resolve("app.jar"));
		List<String> command = new ArrayList<>(List.of(java().toString()));
		command.addAll(DOCKERFILE.extractCommand());
		Result result = run(command, build, Map.of(), Duration.ofMinutes(2));
		assertThat(result.exitCode()).as("extract:\n%s", result.tail()).isZero();
		return build.resolve(DOCKERFILE.extractDestination());
	}

	/**
	 * The image's /app: the layers copied in the Dockerfile's order, and its jvm.args with the app's build argument
	 * JVM_OPTIONS (the compose project's) split into words, as the build's shell does.
	 */
	private Path assemble(String app) throws Exception {
		Path extracted = extract(app);
		Path dir = Files.createDirectories(this.work.resolve(app).resolve("app"));
		for (String layer : DOCKERFILE.layers()) {
			copyTree(extracted.resolve(layer), dir);
		}
		String jvmOptions = buildArgs().get(app).getOrDefault("JVM_OPTIONS", "");
		List<String> jvmArgs = new ArrayList<>();
		for (String word : DOCKERFILE.jvmArgs()) {
			if (word.equals("${JVM_OPTIONS}")) {
				jvmArgs.addAll(jvmOptions.isBlank() ? List.of() : List.of(jvmOptions.strip().split("\\s+")));
			}
			else {
				jvmArgs.add(word);
			}
		}
		Files.writeString(dir.resolve("jvm.args"), String.join("\n", jvmArgs) + "\n");
		return dir;
	}

	/**
	 * The Dockerfile's training run: whole (the cache in {@code dir/app.aot}), or without the option that makes the
	 * cache, the context's refresh alone.
	 */
	private Result train(Path dir, boolean withCache) throws Exception {
		List<String> command = new ArrayList<>(List.of(java().toString()));
		command.addAll(DOCKERFILE.trainingCommand(dir, ROOT));
		if (!withCache) {
			assertThat(command.removeIf((word) -> word.startsWith("-XX:AOTCacheOutput=")))
				.as("the training run's cache option")
				.isTrue();
		}
		// the image's ENV comes after the training run: none of it applies here
		return run(command, dir, Map.of(), TRAINING_TIMEOUT);
	}

	/** The build arguments of each app in the compose project (generated from deploy/suite.yml), by app. */
	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, String>> buildArgs() throws IOException {
		Map<String, Map<String, String>> args = new HashMap<>();
		try (Reader reader = Files.newBufferedReader(ROOT.resolve("deploy/compose/suite.yml"))) {
			Map<String, Object> services = (Map<String, Object>) new Yaml().<Map<String, Object>>load(reader).get("services");
			services.forEach((name, service) -> {
				Object build = ((Map<String, Object>) service).get("build");
				if (build instanceof Map<?, ?> map && map.get("args") instanceof Map<?, ?> buildArgs) {
					Map<String, String> values = new HashMap<>();
					buildArgs.forEach((key, value) -> values.put(key.toString(), value.toString()));
					args.put(name, values);
				}
			});
		}
		return args;
	}

	/** The HEALTHCHECK's script, as the image runs it: the app's management port from the environment. */
	private static boolean healthy(int managementPort, String group) throws Exception {
		Path script = ROOT.resolve("deploy/images/healthcheck.sh");
		ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), group).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		// as the image's ENV sets it
		builder.environment().put("MANAGEMENT_SERVER_PORT", String.valueOf(managementPort));
		Process process = builder.start();
		// the image's HEALTHCHECK --timeout
		if (!process.waitFor(3, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor();
			return false;
		}
		return process.exitValue() == 0;
	}

	private static Path jar(String app) throws IOException {
		Path target = ROOT.resolve(app).resolve("target");
		try (Stream<Path> files = Files.list(target)) {
			List<Path> jars = files.filter((file) -> file.getFileName().toString().matches(Pattern.quote(app) + "-.*\\.jar"))
				.toList();
			assertThat(jars).as("%s's jar (package it first: mvn -DskipTests package -pl %s -am)", app, app).hasSize(1);
			return jars.get(0);
		}
		catch (java.nio.file.NoSuchFileException ex) {
			return fail("%s is not packaged (mvn -DskipTests package -pl %s -am)", app, app);
		}
	}

	/** The JDK of the image's JRE: its feature release (Temurin 25), installed under /usr/lib/jvm. */
	private static Path java() throws IOException {
		String feature = DOCKERFILE.jreFeature();
		try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
			for (Path home : homes.sorted().toList()) {
				Path release = home.resolve("release");
				if (!Files.isSymbolicLink(home) && Files.isRegularFile(release)
						&& Files.readString(release).contains("JAVA_VERSION=\"" + feature + ".")
						&& Files.isExecutable(home.resolve("bin/java"))) {
					return home.resolve("bin/java");
				}
			}
		}
		return fail("no JDK %s under /usr/lib/jvm: the images run Temurin %s (the Dockerfile's JRE_IMAGE); install one "
				+ "to test their layout", feature, feature);
	}

	private static Process start(List<String> command, Path dir, Map<String, String> environment, Path log)
			throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		// nothing of the caller's suite settings: only what the image's ENV and this test give
		builder.environment().keySet().removeIf((name) -> name.startsWith("SCALARHUB_") || name.startsWith("SPRING_")
				|| name.startsWith("SERVER_") || name.startsWith("MANAGEMENT_") || name.equals("ENCRYPT_KEY")
				|| name.endsWith("JAVA_OPTIONS") || name.equals("JAVA_TOOL_OPTIONS"));
		builder.environment().putAll(environment);
		return builder.start();
	}

	private Result run(List<String> command, Path dir, Map<String, String> environment, Duration timeout)
			throws Exception {
		Path log = Files.createTempFile(this.work, "run", ".log");
		Process process = start(command, dir, environment, log);
		try {
			if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor();
				fail("%s did not finish within %s:\n%s", String.join(" ", command), timeout, tail(log));
			}
		}
		finally {
			// a run abandoned (another training run failed and the others were interrupted) leaves no JVM behind
			if (process.isAlive()) {
				process.destroyForcibly();
			}
		}
		return new Result(process.exitValue(), Files.readString(log), tail(log));
	}

	private static String tail(Path log) throws IOException {
		List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> paths = Files.walk(from)) {
			for (Path path : paths.toList()) {
				Path target = to.resolve(from.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target);
				}
			}
		}
	}

	private static void deleteTree(Path dir) throws IOException {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

	private record Result(int exitCode, String output, String tail) {

		List<String> lines() {
			return this.output.lines().map(String::strip).filter((line) -> !line.isEmpty()).toList();
		}

	}

	/**
	 * The commands deploy/images/Dockerfile runs, read from it: continued lines joined, comments dropped. Its paths in
	 * the image ({@code /app/...}) map to a folder of the test's.
	 */
	record Dockerfile(String text, String ignoreFile) {

		private static final String IMAGE_APP_DIR = "/app";

		static Dockerfile read(Path file) {
			try {
				String joined = Files.readString(file)
					.lines()
					.filter((line) -> !line.stripLeading().startsWith("#"))
					.reduce("", (text, line) -> text + line + "\n")
					.replaceAll("\\\\\\n\\s*", " ");
				return new Dockerfile(joined, Files.readString(file.resolveSibling(file.getFileName() + ".dockerignore")));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		String jreFeature() {
			return group("ARG JRE_IMAGE=eclipse-temurin:(\\d+)\\.");
		}

		/** The arguments after {@code java} of the first stage's extraction. */
		List<String> extractCommand() {
			return words(group("java (-Djarmode=tools -jar app\\.jar extract [^&\\n]*)"));
		}

		String extractDestination() {
			List<String> command = extractCommand();
			return command.get(command.indexOf("--destination") + 1);
		}

		/** The layer folders copied into /app, in the Dockerfile's order. */
		List<String> layers() {
			List<String> layers = new ArrayList<>();
			Matcher copy = Pattern.compile("COPY --from=layers /build/" + Pattern.quote(extractDestination())
					+ "/([^/\\s]+)/ \\./").matcher(this.text);
			while (copy.find()) {
				layers.add(copy.group(1));
			}
			return layers;
		}

		/** What the final stage writes to jvm.args before the training run. */
		List<String> jvmArgs() {
			return words(group("printf '%s\\\\n' (.+?) >" + Pattern.quote(IMAGE_APP_DIR + "/jvm.args")));
		}

		/** The training run's arguments after {@code java}, with /app and the build's bind mount mapped. */
		List<String> trainingCommand(Path app, Path repository) {
			Matcher mount = Pattern.compile("--mount=type=bind,source=(\\S+?),target=(\\S+)").matcher(this.text);
			assertThat(mount.find()).as("the training run's bind mount").isTrue();
			String command = group("train\\) java (.+?/app\\.jar) &&")
				.replace(mount.group(2), repository.resolve(mount.group(1)).toString());
			return words(command).stream().map((word) -> mapped(word, app)).toList();
		}

		/** The line the build appends to jvm.args once the cache is made. */
		String cacheOption(Path app) {
			return mapped(group("echo (-XX:AOTCache=\\S+) >>"), app);
		}

		List<String> entrypoint(Path app) {
			return json(group("ENTRYPOINT (\\[[^\\n]*\\])")).stream().map((word) -> mapped(word, app)).toList();
		}

		Path entrypointJar() {
			List<String> entrypoint = json(group("ENTRYPOINT (\\[[^\\n]*\\])"));
			return Path.of(entrypoint.get(entrypoint.indexOf("-jar") + 1));
		}

		List<String> healthcheck() {
			return json(group("HEALTHCHECK [^\\n]*CMD (\\[[^\\n]*\\])"));
		}

		String healthcheckInstalledAt() {
			return group("COPY deploy/images/healthcheck\\.sh (\\S+)");
		}

		/** The files the build takes from its context besides the jar: copied or bind-mounted. */
		List<String> contextFiles() {
			List<String> files = new ArrayList<>();
			Matcher copy = Pattern.compile("COPY (deploy/\\S+) |source=(deploy/[^,\\s]+)").matcher(this.text);
			while (copy.find()) {
				files.add((copy.group(1) != null) ? copy.group(1) : copy.group(2));
			}
			return files;
		}

		/** The image's ENV of JVM options, which the ENTRYPOINT's JVM reads. */
		Map<String, String> environment() {
			return Map.of("JAVA_TOOL_OPTIONS", group("JAVA_TOOL_OPTIONS=\"([^\"]*)\""));
		}

		private String mapped(String word, Path app) {
			return word.replace(IMAGE_APP_DIR + "/", app + "/");
		}

		private String group(String regex) {
			Matcher matcher = Pattern.compile(regex).matcher(this.text);
			assertThat(matcher.find()).as("deploy/images/Dockerfile has %s", regex).isTrue();
			return matcher.group(1);
		}

		private static List<String> words(String command) {
			return Arrays.stream(command.trim().split("\\s+")).toList();
		}

		private static List<String> json(String array) {
			return Arrays.stream(array.replaceAll("^\\[|\\]$", "").split(","))
				.map((word) -> word.strip().replaceAll("^\"|\"$", ""))
				.toList();
		}

	}

}
