package io.scalarhub.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How up.sh waits for a starting app (deploy/local/launch.sh, {@code wait_starting}): for as long as the app keeps
 * writing to its log, and no longer than {@code SCALARHUB_START_TIMEOUT} seconds of silence or
 * {@code SCALARHUB_START_LIMIT} seconds in all. The app here is a live process that never answers its readiness
 * probe, plus, where a test says so, a writer appending to its log as a starting JVM does.
 */
class StartWaitTest {

	/** Ports far from the suite's and the benchmarks': nothing answers there, so the app is never ready. */
	static final int PORT_OFFSET = 4900;

	@TempDir
	Path runDir;

	@Test
	void anAppThatKeepsWritingIsWaitedForLongerThanTheSilenceAllowed() throws Exception {
		// a line every 0.3 s for about 4 s, then nothing: the wait lasts those 4 s and then the 2 s of silence (the
		// launcher counts whole seconds, so each bound may come up to a second early)
		Waited waited = waitStarting(2, 60, "for i in $(seq 1 13); do echo starting >>\"$log\"; sleep 0.3; done");
		assertThat(waited.exitCode()).isNotZero();
		assertThat(waited.output()).contains("config-server is not ready and wrote nothing to its logs for 2s");
		assertThat(waited.elapsed()).isBetween(Duration.ofMillis(4500), Duration.ofSeconds(20));
	}

	@Test
	void aSilentAppIsGivenUpOnAfterTheSilenceAllowed() throws Exception {
		Waited waited = waitStarting(2, 60, ":");
		assertThat(waited.exitCode()).isNotZero();
		assertThat(waited.output()).contains("wrote nothing to its logs for 2s");
		assertThat(waited.elapsed()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
	}

	@Test
	void theLimitHoldsWhileTheAppWrites() throws Exception {
		Waited waited = waitStarting(5, 3, "for i in $(seq 1 100); do echo starting >>\"$log\"; sleep 0.2; done");
		assertThat(waited.exitCode()).isNotZero();
		assertThat(waited.output()).contains("config-server is not ready after 3s");
		assertThat(waited.elapsed()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6));
	}

	/**
	 * Sources the launcher in a run dir of its own, gives config-server a live pid that never becomes ready, runs
	 * {@code writer} in the background ({@code $log} is the app's log) and times {@code wait_starting config-server}
	 * alone (sourcing the launcher, which asks the JDK a question, is not counted).
	 */
	private Waited waitStarting(int silenceSeconds, int limitSeconds, String writer) throws IOException, InterruptedException {
		LauncherScript.Result result = LauncherScript.run(this.runDir,
				Map.of("SCALARHUB_PORT_OFFSET", Integer.toString(PORT_OFFSET), "SCALARHUB_START_TIMEOUT",
						Integer.toString(silenceSeconds), "SCALARHUB_START_LIMIT", Integer.toString(limitSeconds)),
				Duration.ofSeconds(90), "log=$RUN_DIR/logs/config-server.log",
				": >\"$log\"",
				"sleep 120 & app=$!",
				"echo $app >\"$(pid_file config-server)\"",
				"( " + writer + " ) & writer=$!",
				"trap 'kill $app $writer 2>/dev/null || true' EXIT",
				"started=$(date +%s%N)",
				"status=0; wait_starting config-server || status=$?",
				"echo \"elapsed_ms=$((($(date +%s%N) - started) / 1000000))\"",
				"exit $status");
		String text = result.output();
		long elapsedMillis = text.lines()
			.filter((line) -> line.startsWith("elapsed_ms="))
			.mapToLong((line) -> Long.parseLong(line.substring("elapsed_ms=".length())))
			.findFirst()
			.orElseThrow(() -> new AssertionError("the script did not get to time the wait:\n" + text));
		return new Waited(result.exitCode(), text, Duration.ofMillis(elapsedMillis));
	}

	record Waited(int exitCode, String output, Duration elapsed) {
	}

}
