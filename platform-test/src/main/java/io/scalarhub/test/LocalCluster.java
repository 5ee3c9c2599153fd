package io.scalarhub.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Fault drills on the local PostgreSQL cluster, through the project's own {@code deploy/local/infra.sh}:
 * stop and start the primary or the replica for real.
 */
public final class LocalCluster {

	private LocalCluster() {
	}

	public static void stop(String server) {
		infra("stop", server);
	}

	public static void start(String server) {
		infra("start", server);
	}

	private static void infra(String action, String server) {
		Path script = repositoryRoot().resolve("deploy/local/infra.sh");
		try {
			Process process = new ProcessBuilder(script.toString(), action, server).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("infra.sh " + action + " " + server + " failed:\n" + output);
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
