package io.scalarhub.customer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay between a client and PostgreSQL that, once the client has sent {@code holdAfter}, holds back every
 * byte the server sends until the client has also sent {@code releaseOn}, the test calls {@link #release()}, or
 * {@code patience} has passed. So a client that waits for an answer between the two can only go on after
 * {@code patience}, and {@link #releasedByClient()} tells which happened. The test's, not a proxy's.
 */
final class HoldingRelay implements AutoCloseable {

	private final ServerSocket listener;

	private final String holdAfter;

	private final String releaseOn;

	private final Duration patience;

	private final AtomicBoolean holding = new AtomicBoolean();

	private final CountDownLatch released = new CountDownLatch(1);

	private volatile boolean releasedByClient;

	// what clients sent so far, as text: the markers are plain ASCII inside the protocol's messages
	private final StringBuffer sent = new StringBuffer();

	HoldingRelay(String host, int port, String holdAfter, String releaseOn, Duration patience) throws IOException {
		this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		this.holdAfter = holdAfter;
		this.releaseOn = releaseOn;
		this.patience = patience;
		Thread acceptor = new Thread(() -> accept(host, port), "holding-relay");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.listener.getLocalPort();
	}

	/** Whether a client has sent {@code text} through the relay. */
	boolean clientHasSent(String text) {
		return this.sent.indexOf(text) >= 0;
	}

	/** Lets the server's held answers go. */
	void release() {
		this.released.countDown();
	}

	/** Whether the held answers went out because the client sent {@code releaseOn}, not because patience ran out. */
	boolean releasedByClient() {
		return this.releasedByClient;
	}

	private void accept(String host, int port) {
		while (!this.listener.isClosed()) {
			try {
				Socket client = this.listener.accept();
				Socket server = new Socket(host, port);
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				pump("client->server", client.getInputStream(), server.getOutputStream(), true, client, server);
				pump("server->client", server.getInputStream(), client.getOutputStream(), false, client, server);
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void pump(String name, InputStream in, OutputStream out, boolean fromClient, Socket... sockets) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16384];
			try {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (fromClient) {
						this.sent.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
						if (!this.holding.get() && this.sent.indexOf(this.holdAfter) >= 0) {
							this.holding.set(true); // before the server can have it, so its answer is held
						}
						if (this.holding.get() && this.sent.indexOf(this.releaseOn) >= 0 && this.released.getCount() > 0) {
							this.releasedByClient = true;
							this.released.countDown();
						}
					}
					else if (this.holding.get() && !this.released.await(this.patience.toMillis(), TimeUnit.MILLISECONDS)) {
						this.released.countDown(); // patience ran out: the client was waiting for this answer
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// either side closed: close both
			}
			for (Socket socket : sockets) {
				try {
					socket.close();
				}
				catch (IOException ignored) {
					// already closed
				}
			}
		}, "holding-relay-" + name);
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
	}

}
