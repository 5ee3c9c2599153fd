package io.scalarhub.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bash script that sources the local launcher (deploy/local/lib.sh and launch.sh) in the repository, with a run
 * folder of its own, as the tests of the launcher's functions run them: what it prints, and how it exited.
 */
final class LauncherScript {

	static final Path REPO_ROOT = Path.of("").toAbsolutePath().getParent();

	private LauncherScript() {
	}

	/**
	 * Runs {@code lines} after {@code set -euo pipefail} and the launcher's sources, with {@code SCALARHUB_RUN_DIR}
	 * {@code workDir}/run and {@code environment}; fails the test if the script outlasts {@code timeout}.
	 */
	static Result run(Path workDir, Map<String, String> environment, Duration timeout, String... lines)
			throws IOException, InterruptedException {
		List<String> script = new ArrayList<>(
				List.of("set -euo pipefail", "source deploy/local/lib.sh", "source deploy/local/launch.sh"));
		script.addAll(List.of(lines));
		Path output = workDir.resolve("launcher-script.out");
		ProcessBuilder builder = new ProcessBuilder("bash", "-c", String.join("\n", script)).directory(REPO_ROOT.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile());
		builder.environment().put("SCALARHUB_RUN_DIR", workDir.resolve("run").toString());
		builder.environment().putAll(environment);
		Process process = builder.start();
		assertThat(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).as("the script ends within %s", timeout)
			.isTrue();
		return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
	}

	record Result(int exitCode, String output) {
	}

}
