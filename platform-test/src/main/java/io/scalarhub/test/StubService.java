package io.scalarhub.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A downstream service over real HTTP on loopback, for testing one service against the contract of the
 * services it calls: routes answer what the test says, and the whole service can be made to hang (a slow
 * or stuck dependency) or refuse connections (a dead one). Everything the service under test does — load
 * balancing, timeouts, circuit breakers — runs for real against it.
 */
public final class StubService implements AutoCloseable {

	private final Map<String, Route> routes = new ConcurrentHashMap<>();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private final List<Request> received = new CopyOnWriteArrayList<>();

	private final AtomicInteger calls = new AtomicInteger();

	private final int port;

	private volatile HttpServer server;

	private volatile CountDownLatch hang;

	public StubService() {
		this.server = start(0);
		this.port = this.server.getAddress().getPort();
	}

	public String url() {
		return "http://127.0.0.1:" + this.port;
	}

	/**
	 * Answers {@code method} on paths matching {@code pathRegex} (groups go to the handler) with the status and
	 * JSON body the handler returns.
	 */
	public StubService on(String method, String pathRegex, Function<Request, Response> handler) {
		this.routes.put(method + " " + pathRegex, new Route(method, Pattern.compile(pathRegex), handler));
		return this;
	}

	/** Every request from now on waits (for good, or until {@link #recover()}): a stuck dependency. */
	public void hang() {
		this.hang = new CountDownLatch(1);
	}

	/** Stops listening: connections are refused, as with a dead instance. */
	public void kill() {
		HttpServer current = this.server;
		if (current != null) {
			current.stop(0);
			this.server = null;
		}
	}

	/** Answers normally again (listening again on the same port after {@link #kill()}). */
	public void recover() {
		CountDownLatch current = this.hang;
		this.hang = null;
		if (current != null) {
			current.countDown();
		}
		if (this.server == null) {
			this.server = start(this.port);
		}
	}

	public int calls() {
		return this.calls.get();
	}

	/** The requests that matched a route, in order, with their headers and bodies. */
	public List<Request> received() {
		return List.copyOf(this.received);
	}

	/** The requests received, as "METHOD path?query". */
	public List<String> requests() {
		return List.copyOf(this.requests);
	}

	@Override
	public void close() {
		recover();
		kill();
	}

	private HttpServer start(int port) {
		try {
			HttpServer created = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
			created.setExecutor(Executors.newCachedThreadPool());
			created.createContext("/", this::handle);
			created.start();
			return created;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void handle(HttpExchange exchange) throws IOException {
		this.calls.incrementAndGet();
		String path = exchange.getRequestURI().getPath();
		String query = exchange.getRequestURI().getRawQuery();
		this.requests.add(exchange.getRequestMethod() + " " + path + ((query != null) ? "?" + query : ""));
		CountDownLatch waiting = this.hang;
		if (waiting != null) {
			try {
				waiting.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		Response response = new Response(404, "{\"status\":404}");
		for (Route route : this.routes.values()) {
			Matcher matcher = route.path().matcher(path);
			if (route.method().equals(exchange.getRequestMethod()) && matcher.matches()) {
				String[] groups = new String[matcher.groupCount()];
				for (int i = 0; i < groups.length; i++) {
					groups[i] = matcher.group(i + 1);
				}
				Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
				headers.putAll(exchange.getRequestHeaders());
				Request request = new Request(exchange.getRequestMethod(), path, groups, query, body, headers);
				this.received.add(request);
				response = route.handler().apply(request);
				break;
			}
		}
		byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders()
			.set("Content-Type", response.status() >= 400 ? "application/problem+json" : "application/json");
		exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	/** What the stub was asked: method, path and its regex groups, the raw query, the body and the headers. */
	public record Request(String method, String path, String[] pathGroups, String query, String body,
			Map<String, List<String>> headers) {

		/** The first value of header {@code name} (any letter case), or {@code null}. */
		public String header(String name) {
			List<String> values = this.headers.get(name);
			return (values == null || values.isEmpty()) ? null : values.get(0);
		}

		/** The tenant a platform service named for this call ({@code X-Scalarhub-Tenant}), or {@code null}. */
		public String tenant() {
			return header("X-Scalarhub-Tenant");
		}

		/** The {@code tenant} claim of the bearer token, if it has one (an API client's token does). */
		public String tokenTenant() {
			Matcher tenant = TENANT_CLAIM.matcher(tokenClaims());
			return tenant.find() ? tenant.group(1) : null;
		}

		/** The bearer token's payload (JSON), decoded but not verified; empty without a bearer token. */
		public String tokenClaims() {
			String authorization = header("Authorization");
			if (authorization == null || !authorization.startsWith("Bearer ")) {
				return "";
			}
			String[] parts = authorization.substring("Bearer ".length()).split("\\.");
			return (parts.length < 2) ? "" : new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
		}

		private static final Pattern TENANT_CLAIM = Pattern.compile("\"tenant\"\\s*:\\s*\"([^\"]+)\"");

	}

	public record Response(int status, String body) {

		public static Response ok(String json) {
			return new Response(200, json);
		}

	}

	private record Route(String method, Pattern path, Function<Request, Response> handler) {
	}

}
