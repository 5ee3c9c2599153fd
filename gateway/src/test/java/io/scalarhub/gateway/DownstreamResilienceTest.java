package io.scalarhub.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.Polling;
import io.scalarhub.test.StubService;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway between clients and failing services, over real HTTP: a hanging service opens its own circuit
 * (fast 503s with Retry-After) while other routes keep answering, and closes it after recovery; a refused
 * connection is retried on another instance for what is safe to repeat, and never for a POST without an
 * Idempotency-Key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class DownstreamResilienceTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	/** Every test POST's body. */
	static final String BODY = "{\"n\":1}";

	static final StubService slow = new StubService().on("GET", "/v1/slow/.*",
			(request) -> StubService.Response.ok("{}"));

	static final StubService healthy = new StubService()
		.on("GET", "/v1/(healthy|pair|reset)/.*", (request) -> StubService.Response.ok("{\"served\":true}"))
		.on("POST", "/v1/(pair|eject|reset)/.*", (request) -> StubService.Response.ok("{\"served\":true}"));

	/** An instance that is registered but refuses connections: a crashed one not yet evicted. */
	static final StubService dead = new StubService();

	/** Another, for the ejection test alone (ejection is per instance address, and lasts 10 s). */
	static final StubService deadToo = new StubService();

	/** An instance killed mid-request: it reads each request, then resets the connection. */
	static final ResettingServer resetting = new ResettingServer();

	static final AtomicInteger flakyCalls = new AtomicInteger();

	static final StubService flaky = new StubService()
		.on("GET", "/v1/flaky/.*",
				(request) -> (flakyCalls.incrementAndGet() % 2 == 1) ? new StubService.Response(503, "{\"status\":503}")
						: StubService.Response.ok("{}"))
		.on("POST", "/v1/flaky/.*", (request) -> {
			flakyCalls.incrementAndGet();
			return new StubService.Response(503, "{\"status\":503}");
		});

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		GatewayTestProperties.register(registry, issuer)
			.route("slow", slow.url(), "/v1/slow/**", "slow-service")
			.responseTimeout(300)
			.route("healthy", healthy.url(), "/v1/healthy/**", "healthy-service")
			.route("pair", "lb://pair-service", "/v1/pair/**", "pair-service")
			.route("flaky", flaky.url(), "/v1/flaky/**", "flaky-service")
			.route("eject", "lb://eject-service", "/v1/eject/**", "eject-service")
			.route("reset", "lb://reset-service", "/v1/reset/**", "reset-service")
			.tier("standard", 10_000, 10_000);
		// two registered instances of pair-service: the dead one and a healthy one
		registry.add("spring.cloud.discovery.client.simple.instances.pair-service[0].uri", dead::url);
		registry.add("spring.cloud.discovery.client.simple.instances.pair-service[1].uri", healthy::url);
		registry.add("resilience4j.circuitbreaker.instances.slow-service.base-config", () -> "default");
		registry.add("resilience4j.circuitbreaker.instances.slow-service.wait-duration-in-open-state", () -> "2s");
		// the retry test refuses connections on purpose: keep that breaker out of it
		registry.add("resilience4j.circuitbreaker.instances.pair-service.base-config", () -> "default");
		registry.add("resilience4j.circuitbreaker.instances.pair-service.minimum-number-of-calls", () -> "1000");
		registry.add("spring.cloud.discovery.client.simple.instances.eject-service[0].uri", deadToo::url);
		registry.add("spring.cloud.discovery.client.simple.instances.eject-service[1].uri", healthy::url);
		registry.add("spring.cloud.discovery.client.simple.instances.reset-service[0].uri", resetting::url);
		registry.add("spring.cloud.discovery.client.simple.instances.reset-service[1].uri", healthy::url);
		for (String service : new String[] { "eject-service", "reset-service" }) {
			registry.add("resilience4j.circuitbreaker.instances." + service + ".base-config", () -> "default");
			registry.add("resilience4j.circuitbreaker.instances." + service + ".minimum-number-of-calls", () -> "1000");
		}
		registry.add("management.endpoints.web.exposure.include", () -> "health,prometheus");
		dead.kill();
		deadToo.kill();
	}

	@AfterAll
	static void stop() {
		issuer.close();
		slow.close();
		healthy.close();
		flaky.close();
		resetting.close();
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	CircuitBreakerRegistry breakers;

	@Autowired
	MeterRegistry meters;

	WebTestClient client;

	String token;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
		this.token = issuer.token("resilience-test", "any:read", "any:write");
	}

	@Test
	void aHangingServiceOpensOnlyItsOwnCircuitAndCallersGetFast503sUntilItRecovers() {
		slow.hang();
		CircuitBreaker breaker = this.breakers.circuitBreaker("slow-service");
		// each call times out after the route's 300 ms until enough have failed to open the circuit
		for (int i = 0; i < 20 && breaker.getState() != CircuitBreaker.State.OPEN; i++) {
			get("/v1/slow/x").expectStatus().isEqualTo(503);
		}
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

		long started = System.nanoTime();
		get("/v1/slow/x").expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals(HttpHeaders.RETRY_AFTER, "2")
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/service-unavailable")
			.jsonPath("$.instance").isEqualTo("/v1/slow/x");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));

		// another route, another breaker: unaffected
		get("/v1/healthy/x").expectStatus().isOk();
		assertThat(this.breakers.circuitBreaker("healthy-service").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(this.meters.get("resilience4j.circuitbreaker.state")
			.tags("name", "slow-service", "state", "open")
			.gauge()
			.value()).isEqualTo(1.0);

		slow.recover();
		// after the open wait, trial calls go through; enough of them succeeding closes the circuit
		Polling.until(Duration.ofSeconds(15), "slow-service answering and its circuit closed",
				() -> status("/v1/slow/x") == 200 && breaker.getState() == CircuitBreaker.State.CLOSED);
	}

	@Test
	void aGetToAnInstanceThatRefusesConnectionsIsRetriedOnAHealthyOne() {
		int before = healthy.calls();
		for (int i = 0; i < 6; i++) {
			get("/v1/pair/item").expectStatus().isOk().expectBody().jsonPath("$.served").isEqualTo(true);
		}
		assertThat(healthy.calls() - before).isEqualTo(6);
		assertThat(this.meters.counter("scalarhub.gateway.retries", "route", "pair").count()).isGreaterThanOrEqualTo(1);
	}

	/**
	 * A refused connection sent nothing, so any request is tried on another instance, a POST without a key too; a
	 * connection reset after the request was sent may have done the work, so only a request that is safe to repeat
	 * (GET, or one with an Idempotency-Key) is sent again, never a POST without a key.
	 */
	@Test
	void aRefusedConnectionIsRetriedForAnyRequestAndABrokenOneOnlyWhenRepeatingIsSafe() {
		int before = healthy.calls();
		assertThat(refusedOf(6, "/v1/pair/item")).isZero();
		assertThat(healthy.calls() - before).isEqualTo(6);

		before = healthy.calls();
		int resetsBefore = resetting.resets.get();
		int failed = refusedOf(6, "/v1/reset/item");
		// round robin over the resetting and a healthy instance: what reached the resetting one failed, once each
		assertThat(failed).isPositive();
		assertThat(resetting.resets.get() - resetsBefore).isEqualTo(failed);
		assertThat(healthy.calls() - before).isEqualTo(6 - failed);

		before = healthy.received().size();
		resetsBefore = resetting.resets.get();
		for (int i = 0; i < 6; i++) {
			assertThat(post("/v1/reset/item", "key-" + i)).isEqualTo(200);
		}
		assertThat(resetting.resets.get() - resetsBefore).as("keyed POSTs whose connection was reset").isPositive();
		// an attempt after the first sends the body again, whole: the gateway held it for that
		assertThat(healthy.received().subList(before, healthy.received().size()))
			.extracting(StubService.Request::body)
			.containsExactly(Collections.nCopies(6, BODY).toArray(String[]::new));
	}

	/**
	 * An instance that refused a connection is ejected (platform-commons' InstanceEjections, through the gateway's
	 * load balancer): of ten requests, only the first one sent there is refused and retried; round robin alone
	 * would send it every other one.
	 */
	@Test
	void anInstanceThatRefusesAConnectionIsLeftOutOfRotation() {
		double before = this.meters.counter("scalarhub.gateway.retries", "route", "eject").count();
		assertThat(refusedOf(10, "/v1/eject/item")).isZero();
		assertThat(this.meters.counter("scalarhub.gateway.retries", "route", "eject").count() - before).isEqualTo(1);
	}

	/** A connection reset mid-request (an instance killed while answering) is retried for a GET: never a 5xx. */
	@Test
	void aGetWhoseConnectionIsResetMidRequestIsRetriedOnAnotherInstance() {
		for (int i = 0; i < 6; i++) {
			get("/v1/reset/item").expectStatus().isOk().expectBody().jsonPath("$.served").isEqualTo(true);
		}
		assertThat(resetting.resets.get()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void a503IsRetriedForAGetButPassedThroughForAPost() {
		flakyCalls.set(0);
		get("/v1/flaky/x").expectStatus().isOk();
		assertThat(flakyCalls.get()).isEqualTo(2);

		flakyCalls.set(0);
		assertThat(post("/v1/flaky/x", null)).isEqualTo(503);
		assertThat(flakyCalls.get()).isEqualTo(1);
	}

	@Test
	void routesLimiterBreakersAndRetriesAreInPrometheusOnTheManagementPort() {
		get("/v1/healthy/x").expectStatus().isOk();
		get("/v1/pair/x").expectStatus().isOk();
		get("/v1/pair/y").expectStatus().isOk();
		String scrape = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.managementPort)
			.defaultHeaders((headers) -> headers.setBasicAuth("scalarhub-ops", GatewayTestProperties.OPERATOR_PASSWORD))
			.build()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(scrape).containsPattern("spring_cloud_gateway_requests_seconds_bucket\\{[^}]*routeId=\"healthy\"")
			.containsPattern("scalarhub_gateway_upstream_requests_seconds_bucket\\{[^}]*spring_cloud_gateway_route_id=\"healthy\"")
			.containsPattern("scalarhub_gateway_rate_limit_decisions_total\\{[^}]*outcome=\"allowed\"")
			.contains("scalarhub_gateway_rate_limit_degraded")
			.containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"healthy-service\"")
			.containsPattern("scalarhub_gateway_retries_total\\{[^}]*route=\"pair\"");
	}

	@Test
	void noMeterIsDroppedForConflictingTagKeys(CapturedOutput output) {
		get("/v1/healthy/x").expectStatus().isOk();
		// STACK.md: Prometheus refuses a second tag set for one meter name and drops the meter with a warning
		assertThat(output).doesNotContain("Prometheus requires that all meters with the same name");
	}

	private WebTestClient.ResponseSpec get(String path) {
		return this.client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + this.token).exchange();
	}

	private int status(String path) {
		return get(path).returnResult(byte[].class).getStatus().value();
	}

	/** How many of {@code count} POSTs without a key came back 503; every other one must be a 200. */
	private int refusedOf(int count, String path) {
		int refused = 0;
		for (int i = 0; i < count; i++) {
			int status = post(path, null);
			if (status == 503) {
				refused++;
			}
			else {
				assertThat(status).isEqualTo(200);
			}
		}
		return refused;
	}

	private int post(String path, String idempotencyKey) {
		WebTestClient.RequestBodySpec request = this.client.post()
			.uri(path)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.token)
			.contentType(MediaType.APPLICATION_JSON);
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		return request.bodyValue(BODY).exchange().returnResult(byte[].class).getStatus().value();
	}

	/** Accepts, reads a request's head, and resets the connection (SO_LINGER 0), as a process killed mid-request. */
	static final class ResettingServer implements AutoCloseable {

		final AtomicInteger resets = new AtomicInteger();

		private final ServerSocket server;

		ResettingServer() {
			try {
				this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			Thread acceptor = new Thread(this::serve, "resetting-server");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		String url() {
			return "http://127.0.0.1:" + this.server.getLocalPort();
		}

		private void serve() {
			while (!this.server.isClosed()) {
				try (Socket socket = this.server.accept()) {
					InputStream in = socket.getInputStream();
					int matched = 0;
					byte[] end = "\r\n\r\n".getBytes();
					while (matched < end.length) {
						int b = in.read();
						if (b < 0) {
							break;
						}
						matched = (b == end[matched]) ? matched + 1 : ((b == end[0]) ? 1 : 0);
					}
					socket.setSoLinger(true, 0);
					this.resets.incrementAndGet();
				}
				catch (IOException ex) {
					// closed
				}
			}
		}

		@Override
		public void close() {
			try {
				this.server.close();
			}
			catch (IOException ex) {
				// already closed
			}
		}

	}

}
