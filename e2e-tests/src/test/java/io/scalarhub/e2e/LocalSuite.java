package io.scalarhub.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.scalarhub.suite.Suite;

/**
 * The whole suite, started and stopped with the README's own commands ({@code deploy/local/up.sh} and
 * {@code down.sh}) on ports shifted by {@link #PORT_OFFSET}, so that a suite a developer already runs on
 * the default ports is left alone.
 */
final class LocalSuite {

	static final int PORT_OFFSET = 300;

	static final Path REPO_ROOT = Path.of("").toAbsolutePath().getParent();

	static final Path RUN_DIR = REPO_ROOT.resolve("e2e-tests/target/e2e-run");

	/** The suite's list (deploy/suite.yml): what up.sh starts, and on which ports. */
	static final Suite SUITE = Suite.load(REPO_ROOT);

	static final String GATEWAY = "http://localhost:" + port("gateway");

	static final String PROMETHEUS = "http://localhost:" + (9090 + PORT_OFFSET);

	/** The apps up.sh starts, as they name themselves in logs, metrics and Eureka. */
	static final List<String> APPS = SUITE.apps().stream().map(Suite.App::name).toList();

	/** Where the suite's apps export their traces (up.sh passes it as SCALARHUB_OTLP_ENDPOINT). */
	static final OtlpReceiver TRACES = startReceiver();

	private LocalSuite() {
	}

	/** up.sh starts Prometheus beside the apps where the binary is installed. */
	static boolean prometheusInstalled() {
		return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
			.anyMatch((dir) -> Files.isExecutable(Path.of(dir, "prometheus")));
	}

	/** The API port of an app of this suite (its first instance). */
	static int port(String app) {
		return SUITE.app(app).port() + PORT_OFFSET;
	}

	/** The management port of an app of this suite. */
	static int managementPort(String app) {
		return SUITE.app(app).managementPort() + PORT_OFFSET;
	}

	/** A secret up.sh made for this run (deploy/local/lib.sh load_secrets), as its apps were given it. */
	static String secret(String name) {
		try {
			return Files.readAllLines(RUN_DIR.resolve("secrets.env"))
				.stream()
				.filter((line) -> line.startsWith(name + "="))
				.map((line) -> line.substring(name.length() + 1))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException(name + " is not in " + RUN_DIR.resolve("secrets.env")));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** An HTTP Basic {@code Authorization} value. */
	static String basic(String user, String password) {
		return "Basic " + java.util.Base64.getEncoder()
			.encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

	/** The operator's credentials for what the management ports show beyond their probes. */
	static String operator() {
		return basic("scalarhub-ops", secret("SCALARHUB_MANAGEMENT_PASSWORD"));
	}

	/** What an app presents to the Eureka registry. */
	static String registryCredentials() {
		return basic("scalarhub", secret("SCALARHUB_DISCOVERY_PASSWORD"));
	}

	static Path logOf(String app) {
		return RUN_DIR.resolve("logs").resolve(app + ".log");
	}

	/**
	 * The lines of the apps' GC logs (launch.sh's {@code -Xlog:gc}, rotated files included) written since
	 * {@code since} that contain {@code text}, each prefixed with its file's name. Files older than that belong to
	 * an earlier suite in the same run folder.
	 */
	static List<String> gcLogLines(java.time.Instant since, String text) throws IOException {
		try (Stream<Path> files = Files.list(RUN_DIR.resolve("logs").resolve("gc"))) {
			return files.filter((file) -> file.toFile().lastModified() >= since.toEpochMilli())
				.sorted()
				.flatMap((file) -> {
					try {
						return Files.readAllLines(file)
							.stream()
							.filter((line) -> line.contains(text))
							.map((line) -> file.getFileName() + ": " + line);
					}
					catch (IOException ex) {
						throw new java.io.UncheckedIOException(ex);
					}
				})
				.toList();
		}
	}

	/** The JVM's uptime in seconds that a GC log line carries ({@code [443.085s]}, launch.sh's {@code uptime} decoration). */
	static double uptimeSeconds(String gcLogLine) {
		java.util.regex.Matcher uptime = java.util.regex.Pattern.compile("\\]\\[([0-9]+(?:\\.[0-9]+)?)s\\]").matcher(gcLogLine);
		if (!uptime.find()) {
			throw new IllegalArgumentException("no uptime in GC log line: " + gcLogLine);
		}
		return Double.parseDouble(uptime.group(1));
	}

	static void up() {
		run(Duration.ofMinutes(8), "deploy/local/up.sh");
	}

	/**
	 * Stops the apps (the shared PostgreSQL and Redis stay up) and returns the pids that were stopped. The run folder
	 * is the build's, gone with the next one: the class data its JVMs recorded is not written.
	 */
	static List<Long> down() {
		List<Long> pids = pids();
		run(Duration.ofMinutes(5), "deploy/local/down.sh", "--apps-only", "--discard-class-data");
		return pids;
	}

	/**
	 * The class data (launch.sh's AOT caches or AppCDS archives, and what their JVMs write on the way) in the run
	 * folder written at or after {@code since}.
	 */
	static List<Path> classDataWrittenSince(java.time.Instant since) throws IOException {
		Path cds = RUN_DIR.resolve("cds");
		if (!Files.isDirectory(cds)) {
			return List.of();
		}
		try (Stream<Path> files = Files.walk(cds)) {
			return files.filter(Files::isRegularFile)
				.filter((file) -> file.toFile().lastModified() >= since.toEpochMilli())
				.filter((file) -> file.getFileName().toString().matches("app\\.(aot|jsa)(\\..*)?"))
				.toList();
		}
	}

	/** deploy/local/scale.sh with these arguments, on this suite: more or fewer instances, or a rolling restart. */
	static void scale(String... arguments) {
		String[] command = new String[arguments.length + 1];
		command[0] = "deploy/local/scale.sh";
		System.arraycopy(arguments, 0, command, 1, arguments.length);
		run(Duration.ofMinutes(6), command);
	}

	/** deploy/drills/partition.sh with these arguments, on this suite: an instance in a network namespace, cut off. */
	static void partition(String... arguments) {
		String[] command = new String[arguments.length + 1];
		command[0] = "deploy/drills/partition.sh";
		System.arraycopy(arguments, 0, command, 1, arguments.length);
		run(Duration.ofMinutes(4), command);
	}

	/** The pid file of an app's instance (deploy/local/lib.sh instance_name: APP, APP.2, ...). */
	static Path pidFile(String instance) {
		return RUN_DIR.resolve("pids").resolve(instance + ".pid");
	}

	static List<Long> pids() {
		try (Stream<Path> files = Files.list(RUN_DIR.resolve("pids"))) {
			return files.map((file) -> {
				try {
					return Long.parseLong(Files.readString(file).trim());
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	private static OtlpReceiver startReceiver() {
		try {
			return new OtlpReceiver();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void run(Duration timeout, String... command) {
		Path log = RUN_DIR.resolve(Path.of(command[0]).getFileName() + ".out");
		try {
			Files.createDirectories(RUN_DIR);
			ProcessBuilder builder = new ProcessBuilder(command).directory(REPO_ROOT.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile());
			Map<String, String> env = builder.environment();
			env.put("SCALARHUB_RUN_DIR", RUN_DIR.toString());
			env.put("SCALARHUB_PORT_OFFSET", Integer.toString(PORT_OFFSET));
			env.put("SCALARHUB_OTLP_ENDPOINT", TRACES.tracesEndpoint());
			Process process = builder.start();
			if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " timed out; see " + log);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
						+ "):\n" + Files.readString(log));
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
