package io.scalarhub.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fault drills on the local PostgreSQL cluster, through the project's own {@code deploy/local/infra.sh}:
 * stop and start the primary or the replica for real, make the replica fall behind, kill the primary so that
 * Patroni fails over. Each returns once the fault (or the repair) is in place.
 */
public final class LocalCluster {

	private LocalCluster() {
	}

	public static void stop(String server) {
		infra("stop", server);
	}

	/** Undoes {@link #stop}, whichever role it stopped, and resumes automatic failover. */
	public static void start(String server) {
		infra("start", server);
	}

	/**
	 * The replica keeps receiving WAL but stops applying it: it falls behind. Automatic failover is paused
	 * meanwhile (Patroni would resume the replay).
	 */
	public static void pauseReplay() {
		infra("pause-replay");
	}

	public static void resumeReplay() {
		infra("resume-replay");
	}

	/** The server in that role dies at once (kill -9); for the primary, Patroni promotes the replica. */
	public static void kill(String server) {
		infra("kill", server);
	}

	/** Everything back as {@code infra.sh up} leaves it: both nodes running, a synchronous replica. */
	public static void up() {
		infra("up");
	}

	private static void infra(String... arguments) {
		Path script = repositoryRoot().resolve("deploy/local/infra.sh");
		List<String> command = new ArrayList<>(List.of(script.toString()));
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("infra.sh " + String.join(" ", arguments) + " failed:\n" + output);
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

	/** Tests run in their module's folder; the repository root is the first parent with deploy/local. */
	static Path repositoryRoot() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("deploy/local/infra.sh"))) {
				return dir;
			}
		}
		throw new IllegalStateException("deploy/local/infra.sh not found above " + Path.of("").toAbsolutePath());
	}

}
