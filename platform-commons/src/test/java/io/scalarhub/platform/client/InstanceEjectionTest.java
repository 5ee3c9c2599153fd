package io.scalarhub.platform.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.scalarhub.platform.PlatformTestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A load-balanced call that cannot connect ejects its instance: round robin over one live and one dead instance
 * (a closed port, as after kill -9) fails once, not every other call, until the ejection time has passed.
 */
@SpringBootTest(classes = PlatformTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "eureka.client.enabled=false", "management.server.port=0",
				"scalarhub.load-balancing.ejection-time=10s" })
class InstanceEjectionTest {

	static final DisposableServer live = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes.get("/echo", (request, response) -> response.sendString(Mono.just("live"))))
		.bindNow();

	static final int deadPort = freePort();

	/** The connections that fill {@link #unreachable}'s backlog (initialised before it). */
	static final List<Socket> backlog = new ArrayList<>();

	/**
	 * A listening socket that never accepts, its backlog full: a connection to it is neither made nor refused (the
	 * kernel drops the SYNs), as with an instance cut off by the network.
	 */
	static final ServerSocket unreachable = listenerWithFullBacklog();

	@DynamicPropertySource
	static void instances(DynamicPropertyRegistry registry) {
		registry.add("spring.cloud.discovery.client.simple.instances.echo[0].uri", () -> "http://127.0.0.1:" + deadPort);
		registry.add("spring.cloud.discovery.client.simple.instances.echo[1].uri", () -> "http://127.0.0.1:" + live.port());
		registry.add("spring.cloud.discovery.client.simple.instances.cut[0].uri",
				() -> "http://127.0.0.1:" + unreachable.getLocalPort());
		registry.add("spring.cloud.discovery.client.simple.instances.cut[1].uri", () -> "http://127.0.0.1:" + live.port());
	}

	@AfterAll
	static void stop() throws IOException {
		live.disposeNow();
		unreachable.close();
		for (Socket socket : backlog) {
			socket.close();
		}
	}

	@Autowired
	LoadBalancedWebClients webClients;

	@Autowired
	InstanceEjections ejections;

	@Test
	void aDeadInstanceFailsOneCallThenIsLeftOutUntilItsEjectionEnds() {
		List<String> answers = calls(20);
		assertThat(answers).filteredOn("refused"::equals).hasSize(1);
		assertThat(answers).filteredOn("live"::equals).hasSize(19);
		DefaultServiceInstance dead = new DefaultServiceInstance("dead", "echo", "127.0.0.1", deadPort, false);
		assertThat(this.ejections.isEjected(dead)).isTrue();

		// then it is offered again (it may have come back), and a failed call ejects it again
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.ejections.isEjected(dead));
		assertThat(calls(20)).filteredOn("refused"::equals).hasSize(1);
	}

	/**
	 * An instance that cannot be connected to fails its call within the platform's connect timeout (250 ms, not Reactor
	 * Netty's 30 s), inside the load balancer, so it is ejected too.
	 */
	@Test
	void anInstanceThatCannotBeConnectedToFailsFastAndIsEjected() {
		List<Duration> failedAfter = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			long started = System.nanoTime();
			String answer = call("http://cut/echo");
			if (!"live".equals(answer)) {
				failedAfter.add(Duration.ofNanos(System.nanoTime() - started));
			}
		}
		assertThat(failedAfter).hasSize(1);
		assertThat(failedAfter.get(0)).isLessThan(Duration.ofSeconds(3));
		assertThat(this.ejections
			.isEjected(new DefaultServiceInstance("cut", "cut", "127.0.0.1", unreachable.getLocalPort(), false))).isTrue();
	}

	@Test
	void everyInstanceEjectedMeansEveryInstanceOffered() {
		DefaultServiceInstance a = new DefaultServiceInstance("a", "x", "127.0.0.1", 1, false);
		DefaultServiceInstance b = new DefaultServiceInstance("b", "x", "127.0.0.1", 2, false);
		InstanceEjections ejections = new InstanceEjections(Duration.ofMinutes(1));
		ejections.onFailure(a, new java.net.ConnectException("refused"));
		assertThat(ejections.available(List.of(a, b))).containsExactly(b);
		ejections.onFailure(b, new IllegalStateException("a 500 is the request's failure, not the instance's"));
		assertThat(ejections.available(List.of(a, b))).containsExactly(b);
		ejections.onFailure(b, new RuntimeException(new io.netty.channel.ConnectTimeoutException("timed out")));
		assertThat(ejections.available(List.of(a, b))).containsExactly(a, b);

		DefaultServiceInstance c = new DefaultServiceInstance("c", "x", "127.0.0.1", 3, false);
		DefaultServiceInstance d = new DefaultServiceInstance("d", "x", "127.0.0.1", 4, false);
		// the gateway's response timeout, as SCG reports it: a cut-off instance holding a pooled connection
		ejections.onFailure(c, new IllegalStateException("504", new java.util.concurrent.TimeoutException("took too long")));
		ejections.onFailure(d, new java.net.NoRouteToHostException("no route"));
		assertThat(ejections.available(List.of(a, b, c, d))).containsExactly(a, b, c, d);
		assertThat(ejections.isEjected(c)).isTrue();
		assertThat(ejections.isEjected(d)).isTrue();
	}

	@Test
	void anInstanceStillUnreachableAfterItsEjectionIsEjectedTwiceAsLongUntilACallSucceeds() {
		DefaultServiceInstance instance = new DefaultServiceInstance("a", "x", "127.0.0.1", 1, false);
		InstanceEjections ejections = new InstanceEjections(Duration.ofSeconds(1));
		java.net.ConnectException refused = new java.net.ConnectException("refused");
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isBetween(Duration.ofMillis(1), Duration.ofSeconds(1));
		// a call that was in flight fails too: no longer for that
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isLessThanOrEqualTo(Duration.ofSeconds(1));

		await().atMost(Duration.ofSeconds(10)).until(() -> !ejections.isEjected(instance));
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isGreaterThan(Duration.ofSeconds(1));

		// it answered: forgotten, the next ejection is the first again
		ejections.onSuccess(instance);
		assertThat(ejections.isEjected(instance)).isFalse();
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isLessThanOrEqualTo(Duration.ofSeconds(1));
	}

	private List<String> calls(int count) {
		List<String> answers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			answers.add(call("http://echo/echo"));
		}
		return answers;
	}

	private String call(String url) {
		return this.webClients.builder()
			.build()
			.get()
			.uri(url)
			.retrieve()
			.bodyToMono(String.class)
			.onErrorReturn("refused")
			.block(Duration.ofSeconds(10));
	}

	private static ServerSocket listenerWithFullBacklog() {
		try {
			ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
			// the accept queue holds backlog + 1 connections; past them, connection attempts hang
			for (int i = 0; i < 4; i++) {
				Socket socket = new Socket();
				backlog.add(socket);
				try {
					socket.connect(server.getLocalSocketAddress(), 200);
				}
				catch (IOException ex) {
					// the queue is full: what the test wants
				}
			}
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
