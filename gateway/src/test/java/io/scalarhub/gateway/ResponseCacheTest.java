package io.scalarhub.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.context.scope.refresh.RefreshScopeRefreshedEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's response cache on the products route, through real HTTP to a real backend that counts what
 * reaches it: a second read is a hit that the service never sees, the service's Cache-Control and ETag
 * survive, a client's rate-limit headers and request id are its own even on a hit, one token never reads
 * another's entry, a conditional hit is a 304, and routes without the cache (or responses that forbid it)
 * are never cached.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ResponseCacheTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final Backend backend = new Backend();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		GatewayTestProperties.register(registry, issuer)
			.route("products", backend.url(), "/v1/products,/v1/products/**", "product-service")
			.filter("CacheStatus")
			.filter("LocalResponseCache=60s,1MB")
			.route("customers", backend.url(), "/v1/customers,/v1/customers/**", "customer-service")
			.tier("standard", 1000, 1);
	}

	@AfterAll
	static void stop() {
		issuer.close();
		backend.server.stop(0);
	}

	@LocalServerPort
	int port;

	@Autowired
	ApplicationEventPublisher events;

	@Autowired
	RouteRefreshCounter routeRefreshCounter;

	@TestConfiguration
	static class RouteRefreshes {

		@Bean
		RouteRefreshCounter routeRefreshCounter() {
			return new RouteRefreshCounter();
		}

	}

	/** Counts the route rebuilds the gateway is asked for. */
	static class RouteRefreshCounter {

		final AtomicInteger count = new AtomicInteger();

		@EventListener(RefreshRoutesEvent.class)
		void refreshed() {
			this.count.incrementAndGet();
		}

	}

	WebTestClient client;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
	}

	static String token(String client) {
		return issuer.tokenWithTier(client + "-" + UUID.randomUUID(), "standard", "products:read", "customers:read");
	}

	EntityExchangeResult<String> get(String path, String token, String requestId) {
		return this.client.get()
			.uri(path)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("X-Request-Id", requestId)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult();
	}

	/**
	 * Eureka's client announces each registry fetch (every 5 s) with a new heartbeat: the routes, and the cache
	 * their filters hold, must outlive it. Only a configuration refresh rebuilds them.
	 */
	@Test
	void aRegistryHeartbeatNeitherRebuildsTheRoutesNorEmptiesTheCache() {
		String path = "/v1/products/" + UUID.randomUUID();
		String token = token("heartbeat");
		get(path, token, "before-heartbeat");
		int refreshes = this.routeRefreshCounter.count.get();
		this.events.publishEvent(new HeartbeatEvent(this, UUID.randomUUID()));
		this.events.publishEvent(new HeartbeatEvent(this, UUID.randomUUID()));
		assertThat(this.routeRefreshCounter.count.get()).as("route refreshes on a heartbeat").isEqualTo(refreshes);
		EntityExchangeResult<String> after = get(path, token, "after-heartbeat");
		assertThat(after.getResponseHeaders().getFirst("X-Cache")).isEqualTo("hit");
		assertThat(backend.calls(path)).isEqualTo(1);

		this.events.publishEvent(new RefreshScopeRefreshedEvent());
		assertThat(this.routeRefreshCounter.count.get()).as("route refreshes on a configuration refresh").isEqualTo(refreshes + 1);
	}

	@Test
	void aSecondReadIsAHitTheServiceNeverSeesWithTheServicesCacheHeaders() {
		String path = "/v1/products/" + UUID.randomUUID();
		String token = token("a");
		EntityExchangeResult<String> first = get(path, token, "first-1");
		EntityExchangeResult<String> second = get(path, token, "second-1");
		assertThat(backend.calls(path)).isEqualTo(1);
		assertThat(first.getResponseHeaders().getFirst("X-Cache")).isEqualTo("miss");
		assertThat(second.getResponseHeaders().getFirst("X-Cache")).isEqualTo("hit");
		assertThat(second.getResponseBody()).isEqualTo(first.getResponseBody());
		assertThat(second.getResponseHeaders().getETag()).isEqualTo("\"1\"");
		for (EntityExchangeResult<String> result : new EntityExchangeResult[] { first, second }) {
			// Spring Security's no-cache writer leaves the service's directive alone
			assertThat(result.getResponseHeaders().get(HttpHeaders.CACHE_CONTROL)).hasSize(1);
			assertThat(result.getResponseHeaders().getCacheControl()).matches("public, max-age=(60|59|58)");
			assertThat(result.getResponseHeaders().get(HttpHeaders.PRAGMA)).isNull();
			assertThat(result.getResponseHeaders().get(HttpHeaders.EXPIRES)).isNull();
		}
	}

	@Test
	void aHitCarriesThisRequestsOwnRateLimitHeadersAndIds() {
		String path = "/v1/products/" + UUID.randomUUID();
		String token = token("b");
		EntityExchangeResult<String> first = get(path, token, "req-first");
		EntityExchangeResult<String> second = get(path, token, "req-second");
		assertThat(second.getResponseHeaders().getFirst("X-Cache")).isEqualTo("hit");
		// the bucket (1000, refilling 1/s) went down by one: the hit shows this request's count, not the first's
		long firstRemaining = Long.parseLong(first.getResponseHeaders().getFirst("RateLimit-Remaining"));
		long secondRemaining = Long.parseLong(second.getResponseHeaders().getFirst("RateLimit-Remaining"));
		assertThat(secondRemaining).isLessThan(firstRemaining);
		assertThat(second.getResponseHeaders().get("RateLimit-Remaining")).hasSize(1);
		assertThat(second.getResponseHeaders().get("RateLimit-Limit")).containsExactly("1000");
		assertThat(second.getResponseHeaders().get("X-Request-Id")).containsExactly("req-second");
		String firstTrace = first.getResponseHeaders().getFirst("X-Trace-Id");
		String secondTrace = second.getResponseHeaders().getFirst("X-Trace-Id");
		assertThat(secondTrace).matches("[0-9a-f]{32}").isNotEqualTo(firstTrace);
		assertThat(second.getResponseHeaders().get("X-Trace-Id")).hasSize(1);
	}

	@Test
	void oneClientNeverReadsAnothersEntry() {
		String path = "/v1/products/" + UUID.randomUUID();
		String alice = token("alice");
		String bob = token("bob");
		get(path, alice, "alice-1");
		EntityExchangeResult<String> forBob = get(path, bob, "bob-1");
		assertThat(forBob.getResponseHeaders().getFirst("X-Cache")).isEqualTo("miss");
		assertThat(backend.calls(path)).isEqualTo(2);
		assertThat(forBob.getResponseHeaders().getFirst("RateLimit-Limit")).isEqualTo("1000");
		assertThat(get(path, bob, "bob-2").getResponseHeaders().getFirst("X-Cache")).isEqualTo("hit");
	}

	@Test
	void aConditionalHitIsA304WithoutABody() {
		String path = "/v1/products/" + UUID.randomUUID();
		String token = token("c");
		get(path, token, "c-1");
		EntityExchangeResult<byte[]> notModified = this.client.get()
			.uri(path)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header(HttpHeaders.IF_NONE_MATCH, "\"1\"")
			.exchange()
			.expectStatus()
			.isNotModified()
			.expectHeader()
			.valueEquals("X-Cache", "hit")
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody()
			.returnResult();
		assertThat(notModified.getResponseBody()).isNullOrEmpty();
		assertThat(backend.calls(path)).isEqualTo(1);
		// a tag that does not match is the cached 200
		this.client.get()
			.uri(path)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header(HttpHeaders.IF_NONE_MATCH, "\"0\"")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Cache", "hit");
	}

	@Test
	void whatTheServiceMarksPrivateOrNoStoreIsNeverCached() {
		String path = "/v1/products/" + UUID.randomUUID() + "-private";
		String token = token("d");
		get(path, token, "d-1");
		EntityExchangeResult<String> again = get(path, token, "d-2");
		assertThat(again.getResponseHeaders().getFirst("X-Cache")).isEqualTo("miss");
		assertThat(backend.calls(path)).isEqualTo(2);
	}

	@Test
	void routesWithoutTheCacheAreNeverCached() {
		String path = "/v1/customers/" + UUID.randomUUID();
		String token = token("e");
		get(path, token, "e-1");
		EntityExchangeResult<String> again = get(path, token, "e-2");
		assertThat(again.getResponseHeaders().getFirst("X-Cache")).isNull();
		assertThat(backend.calls(path)).isEqualTo(2);
	}

	/** Answers every GET as product-service does: cacheable JSON with an ETag (private under "-private"). */
	static final class Backend {

		final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

		final HttpServer server;

		Backend() {
			try {
				this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			this.server.createContext("/", (exchange) -> {
				String path = exchange.getRequestURI().getPath();
				int call = this.calls.computeIfAbsent(path, (key) -> new AtomicInteger()).incrementAndGet();
				exchange.getRequestBody().readAllBytes();
				byte[] body = ("{\"path\":\"" + path + "\",\"call\":" + call + "}").getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				exchange.getResponseHeaders()
					.set("Cache-Control", path.endsWith("-private") ? "private, max-age=60" : "public, max-age=60");
				exchange.getResponseHeaders().set("ETag", "\"1\"");
				// as product-service answers: its reads differ per tenant, so shared caches keep one per token
				exchange.getResponseHeaders().set("Vary", "Authorization");
				// what the service itself answers with: its own ids must not be replayed either
				exchange.getResponseHeaders().set("X-Request-Id", "from-the-service-" + call);
				exchange.sendResponseHeaders(200, body.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			});
			this.server.start();
		}

		int calls(String path) {
			AtomicInteger count = this.calls.get(path);
			return (count != null) ? count.get() : 0;
		}

		String url() {
			return "http://127.0.0.1:" + this.server.getAddress().getPort();
		}

	}

}
