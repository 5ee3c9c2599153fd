package io.scalarhub.platform.client;

import java.io.IOException;
import java.net.ServerSocket;
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
				"scalarhub.load-balancing.ejection-time=3s" })
class InstanceEjectionTest {

	static final DisposableServer live = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes.get("/echo", (request, response) -> response.sendString(Mono.just("live"))))
		.bindNow();

	static final int deadPort = freePort();

	@DynamicPropertySource
	static void instances(DynamicPropertyRegistry registry) {
		registry.add("spring.cloud.discovery.client.simple.instances.echo[0].uri", () -> "http://127.0.0.1:" + deadPort);
		registry.add("spring.cloud.discovery.client.simple.instances.echo[1].uri", () -> "http://127.0.0.1:" + live.port());
	}

	@AfterAll
	static void stop() {
		live.disposeNow();
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
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.ejections.isEjected(dead));
		assertThat(calls(20)).filteredOn("refused"::equals).hasSize(1);
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
		InstanceEjections ejections = new InstanceEjections(Duration.ofMillis(300));
		java.net.ConnectException refused = new java.net.ConnectException("refused");
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isBetween(Duration.ofMillis(1), Duration.ofMillis(300));
		// a call that was in flight fails too: no longer for that
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isLessThanOrEqualTo(Duration.ofMillis(300));

		await().atMost(Duration.ofSeconds(5)).until(() -> !ejections.isEjected(instance));
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isGreaterThan(Duration.ofMillis(300));

		// it answered: forgotten, the next ejection is the first again
		ejections.onSuccess(instance);
		assertThat(ejections.isEjected(instance)).isFalse();
		ejections.onFailure(instance, refused);
		assertThat(ejections.ejectedFor(instance)).isLessThanOrEqualTo(Duration.ofMillis(300));
	}

	private List<String> calls(int count) {
		List<String> answers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			answers.add(this.webClients.builder()
				.build()
				.get()
				.uri("http://echo/echo")
				.retrieve()
				.bodyToMono(String.class)
				.onErrorReturn("refused")
				.block(Duration.ofSeconds(5)));
		}
		return answers;
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
