package io.scalarhub.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.scalarhub.suite.Suite;
import io.scalarhub.suite.Suite.App;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The JVM options the local launcher starts each app with (deploy/local/launch.sh, {@code jvm_opts}): the ones every
 * app gets, then the app's own from deploy/suite.yml's {@code jvm-options} (the images carry the same), then the
 * caller's. The JVM takes the last of two contradicting options, so the order is the behaviour.
 */
class LauncherJvmOptionsTest {

	static final Suite SUITE = Suite.load(LauncherScript.REPO_ROOT);

	@TempDir
	Path runDir;

	@Test
	void everyAppRunsWithItsOwnOptionsFromTheManifestAfterTheCommonOnes() throws Exception {
		Map<String, List<String>> options = launcherOptions(Map.of());
		for (App app : SUITE.apps()) {
			List<String> own = options.get(app.name());
			assertThat(own).as("%s's options", app.name()).contains("-XX:+UseSerialGC");
			if (!app.jvmOptionList().isEmpty()) {
				List<String> afterCommon = own.subList(own.indexOf("-XX:+UseSerialGC") + 1, own.size());
				assertThat(afterCommon).as("%s's options after the common ones", app.name())
					.containsSubsequence(app.jvmOptionList());
			}
		}
		// the control plane's heap on this host comes after the common one, so it is the one the JVM takes
		for (String controlPlane : List.of("config-server", "discovery")) {
			assertThat(options.get(controlPlane)).containsSubsequence("-Xmx160m", "-XX:TieredStopAtLevel=1", "-Xmx96m");
		}
		assertThat(options.get("gateway")).containsSubsequence("-XX:+UseSerialGC", "-XX:SurvivorRatio=4");
		assertThat(options.get("customer-service")).doesNotContain("-XX:TieredStopAtLevel=1", "-Xmx96m",
				"-XX:SurvivorRatio=4");
	}

	@Test
	void theCallersOptionsComeLastTheOneAppsLastOfAll() throws Exception {
		Map<String, List<String>> options = launcherOptions(Map.of("SCALARHUB_JAVA_OPTS", "-XX:CICompilerCount=2",
				"SCALARHUB_JAVA_OPTS_discovery", "-XX:TieredStopAtLevel=4"));
		assertThat(options.get("discovery")).containsSubsequence("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=2",
				"-XX:TieredStopAtLevel=4");
		assertThat(options.get("discovery").get(options.get("discovery").size() - 1)).isEqualTo("-XX:TieredStopAtLevel=4");
		assertThat(options.get("gateway")).endsWith("-XX:CICompilerCount=2");
	}

	/**
	 * Compact object headers are one of the options every app gets where the JDK has them (25, as the images), and
	 * none gets them on the JDK 17 fallback, which refuses to start with the option.
	 */
	@Test
	void compactObjectHeadersReachEveryAppOnJdk25AndNoAppOnAnOlderJdk() throws Exception {
		Path jdk25 = jdk((feature) -> feature >= 25);
		Path older = jdk((feature) -> feature < 25);
		Map<String, List<String>> on25 = launcherOptions(Map.of("SCALARHUB_JAVA_HOME", jdk25.toString()));
		for (App app : SUITE.apps()) {
			assertThat(on25.get(app.name())).as("%s's options on JDK 25", app.name())
				.containsSubsequence("-XX:+UseSerialGC", COMPACT_HEADERS);
		}
		Map<String, List<String>> onOlder = launcherOptions(Map.of("SCALARHUB_JAVA_HOME", older.toString()));
		for (App app : SUITE.apps()) {
			assertThat(onOlder.get(app.name())).as("%s's options on %s", app.name(), older)
				.contains("-XX:+UseSerialGC")
				.doesNotContain(COMPACT_HEADERS);
		}
		// and that JDK would indeed refuse it, or leaving it out would prove nothing
		Process refused = new ProcessBuilder(older.resolve("bin/java").toString(), COMPACT_HEADERS, "-version")
			.redirectErrorStream(true)
			.start();
		refused.getInputStream().readAllBytes();
		assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(refused.exitValue()).as("%s with %s", older, COMPACT_HEADERS).isNotZero();
	}

	private static final String COMPACT_HEADERS = "-XX:+UseCompactObjectHeaders";

	/** A JDK under /usr/lib/jvm whose feature release passes {@code wanted}: the machine has 17 and 25 (STACK). */
	private static Path jdk(IntPredicate wanted) throws Exception {
		try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
			for (Path home : homes.filter((home) -> !Files.isSymbolicLink(home)).sorted().toList()) {
				Path release = home.resolve("release");
				if (Files.isExecutable(home.resolve("bin/java")) && Files.isRegularFile(release)) {
					Matcher version = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
					if (version.find() && wanted.test(Integer.parseInt(version.group(1)))) {
						return home;
					}
				}
			}
		}
		return fail("no such JDK under /usr/lib/jvm: the apps run on JDK 25 where it is installed, else on the "
				+ "default JDK 17, and this test needs both");
	}

	/** Sources the launcher in a run dir of its own and asks it for every app's options. */
	private Map<String, List<String>> launcherOptions(Map<String, String> environment) throws Exception {
		String[] lines = SUITE.apps()
			.stream()
			.map((app) -> "echo \"" + app.name() + ": $(jvm_opts " + app.name() + ")\"")
			.toArray(String[]::new);
		LauncherScript.Result result = LauncherScript.run(this.runDir, environment, Duration.ofSeconds(60), lines);
		String text = result.output();
		assertThat(result.exitCode()).as("the script:\n%s", text).isZero();
		Map<String, List<String>> options = new HashMap<>();
		text.lines().filter((line) -> line.contains(": -")).forEach((line) -> {
			int colon = line.indexOf(": ");
			options.put(line.substring(0, colon), Arrays.asList(line.substring(colon + 2).trim().split("\\s+")));
		});
		assertThat(options.keySet()).as("the launcher's output:\n%s", text)
			.containsExactlyInAnyOrderElementsOf(SUITE.apps().stream().map(App::name).toList());
		return options;
	}

}
