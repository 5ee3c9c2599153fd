package io.scalarhub.test;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A Redis server of a test's own, for fault drills that must not disturb the shared one: a real
 * {@code redis-server} process on a free loopback port, without persistence, that the test can stop (the
 * port then refuses connections, as a dead Redis does) and start again on the same port.
 */
public final class TestRedisServer implements AutoCloseable {

	private final int port;

	private final Path directory;

	private Process process;

	public TestRedisServer() {
		this.port = freePort();
		try {
			this.directory = Files.createTempDirectory("scalarhub-redis");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		start();
	}

	public String host() {
		return "127.0.0.1";
	}

	public int port() {
		return this.port;
	}

	public synchronized void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		try {
			this.process = new ProcessBuilder(List.of("redis-server", "--bind", "127.0.0.1", "--port",
					Integer.toString(this.port), "--save", "", "--appendonly", "no", "--dir", this.directory.toString()))
				.redirectErrorStream(true)
				.redirectOutput(new File(this.directory.toFile(), "redis.log"))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("redis-server is needed on the PATH for this test", ex);
		}
		Polling.until(Duration.ofSeconds(10), "redis-server on port " + this.port + " accepting connections",
				this::accepting);
	}

	/** Kills the server: from now on the port refuses connections. */
	public synchronized void stop() {
		if (this.process != null) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		Polling.until(Duration.ofSeconds(10), "redis-server on port " + this.port + " gone", () -> !accepting());
	}

	@Override
	public void close() {
		stop();
	}

	private boolean accepting() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
