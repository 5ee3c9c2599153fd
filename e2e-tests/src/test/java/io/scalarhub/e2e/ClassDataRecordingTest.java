package io.scalarhub.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The class data an app's first instance records on a first run (deploy/local/launch.sh, {@code cds_launch}): the
 * JVM writes its AOT cache as it exits, and the next start of that instance maps it. Another instance started in
 * between (a rolling restart's surge instance, a scale-out) must leave that recording alone. The recording JVM here is
 * a real JDK 25 JVM with the launcher's recording options, running {@link Idle} from a jar of its own in the app's
 * place: the launcher's bookkeeping is under test, not the app.
 */
class ClassDataRecordingTest {

	@TempDir
	Path runDir;

	@Test
	void anInstanceStartedWhileTheFirstRecordsLeavesItsCacheToBeWrittenAndUsedByItsNextStart() throws Exception {
		LauncherScript.Result result = LauncherScript.run(this.runDir, Map.of(), Duration.ofSeconds(120),
				"((JAVA_FEATURE >= 25)) || { echo \"the launcher found no JDK 25 (JDK $JAVA_FEATURE)\"; exit 3; }",
				"app=customer-service",
				"dir=$(cds_dir $app)",
				"mkdir -p \"$dir/app\" \"$RUN_DIR/logs\"",
				// the app's jar: Idle's (cds_launch compares its time with its extraction's, made after it)
				"jar_of() { echo '" + idleJar() + "'; }",
				"touch \"$dir/extracted\"",
				// the first instance: no class data yet, so it records
				"cds_launch $app",
				"echo \"first: ${CDS_OPTS[*]}\"",
				"\"$JAVA\" \"${CDS_OPTS[@]}\" -cp \"$(jar_of $app)\" '" + Idle.class.getName()
						+ "' >\"$RUN_DIR/logs/$app.log\" 2>&1 &",
				"first=$!",
				"echo $first >\"$(pid_file $app)\"",
				// running: its AOT configuration created (as it starts), its program waiting (a JVM stopped while it
				// initialises writes no cache)
				"running() { [[ -e $dir/app.aot.new.config ]] && grep -q '" + Idle.WAITING + "' \"$RUN_DIR/logs/$app.log\"; }",
				"for ((i = 0; i < 300; i++)); do running && break; sleep 0.1; done",
				"running || { echo 'the recording JVM did not get to run'; cat \"$RUN_DIR/logs/$app.log\"; exit 4; }",
				// a second instance starts meanwhile
				"cds_launch $app $app.2",
				"echo \"second: ${CDS_OPTS[*]}\"",
				// the first stops (SIGTERM, as down.sh and scale.sh stop it), writing its cache as it exits
				"kill -TERM $first",
				"wait $first || true",
				"cds_launch $app",
				"echo \"restarted: ${CDS_OPTS[*]}\"",
				"echo \"the first instance's output:\"", "cat \"$RUN_DIR/logs/$app.log\"");
		String text = result.output();
		assertThat(result.exitCode()).as("the script:\n%s", text).isZero();
		Path cache = this.runDir.resolve("run/cds/customer-service/app.aot");
		assertThat(text).as("the launcher's output").contains("first: -XX:AOTCacheOutput=" + cache + ".new");
		assertThat(cache).as("the cache the first instance recorded, written as it stopped:\n%s", text).isNotEmptyFile();
		assertThat(text).contains("restarted: -XX:AOTCache=" + cache);
	}

	/** A jar of {@link Idle} alone: a JVM records class data only from jars. */
	private Path idleJar() throws IOException {
		Path jar = this.runDir.resolve("idle.jar");
		String entry = Idle.class.getName().replace('.', '/') + ".class";
		try (InputStream bytes = Idle.class.getClassLoader().getResourceAsStream(entry);
				JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
			out.putNextEntry(new JarEntry(entry));
			bytes.transferTo(out);
			out.closeEntry();
		}
		return jar;
	}

	/** The recording JVM's program: it says so, and waits to be stopped. */
	public static final class Idle {

		static final String WAITING = "idle, waiting to be stopped";

		public static void main(String[] args) throws InterruptedException {
			System.out.println(WAITING);
			// until SIGTERM ends the JVM: the main thread waits for itself
			Thread.currentThread().join();
		}

	}

}
