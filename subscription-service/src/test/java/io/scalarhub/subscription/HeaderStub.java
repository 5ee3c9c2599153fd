package io.scalarhub.subscription;

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
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scalarhub.test.StubService;
import io.scalarhub.test.StubService.Response;

/**
 * platform-test's {@link StubService} (a downstream over real HTTP on loopback that can hang or die), whose
 * handlers also see the request's headers: the downstreams of these tests answer only for the tenant a call
 * is made for, which travels in headers (the relayed token's {@code tenant} claim, or
 * {@code X-Scalarhub-Tenant} next to a platform service's own token). StubService's requests carry no
 * headers; once they do, this copy can go.
 */
final class HeaderStub implements AutoCloseable {

	private final Map<String, Route> routes = new ConcurrentHashMap<>();

	private final List<Request> received = new CopyOnWriteArrayList<>();

	private final int port;

	private volatile HttpServer server;

	private volatile CountDownLatch hang;

	HeaderStub() {
		this.server = start(0);
		this.port = this.server.getAddress().getPort();
	}

	String url() {
		return "http://127.0.0.1:" + this.port;
	}

	/** Answers {@code method} on paths matching {@code pathRegex} (groups go to the handler). */
	HeaderStub on(String method, String pathRegex, Function<Request, Response> handler) {
		this.routes.put(method + " " + pathRegex, new Route(method, Pattern.compile(pathRegex), handler));
		return this;
	}

	/** Every request from now on waits (for good, or until {@link #recover()}): a stuck dependency. */
	void hang() {
		this.hang = new CountDownLatch(1);
	}

	/** Stops listening: connections are refused, as with a dead instance. */
	void kill() {
		HttpServer current = this.server;
		if (current != null) {
			current.stop(0);
			this.server = null;
		}
	}

	/** Answers normally again (listening again on the same port after {@link #kill()}). */
	void recover() {
		CountDownLatch current = this.hang;
		this.hang = null;
		if (current != null) {
			current.countDown();
		}
		if (this.server == null) {
			this.server = start(this.port);
		}
	}

	/** Every request received, in order, headers included. */
	List<Request> received() {
		return List.copyOf(this.received);
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
		CountDownLatch waiting = this.hang;
		if (waiting != null) {
			try {
				waiting.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		String path = exchange.getRequestURI().getPath();
		Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		Response response = new Response(404, "{\"status\":404}");
		for (Route route : this.routes.values()) {
			Matcher matcher = route.path().matcher(path);
			if (route.method().equals(exchange.getRequestMethod()) && matcher.matches()) {
				String[] groups = new String[matcher.groupCount()];
				for (int i = 0; i < groups.length; i++) {
					groups[i] = matcher.group(i + 1);
				}
				Request request = new Request(exchange.getRequestMethod(), path, groups, body, headers);
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

	/** What the stub was asked: method, path, the path's regex groups, the body and the headers (any case). */
	record Request(String method, String path, String[] pathGroups, String body, Map<String, String> headers) {

		String header(String name) {
			return this.headers.get(name);
		}

		/** The {@code tenant} claim of the bearer token, if it has one (an API client's token does). */
		String tokenTenant() {
			String authorization = header("Authorization");
			if (authorization == null || !authorization.startsWith("Bearer ")) {
				return null;
			}
			String[] parts = authorization.substring("Bearer ".length()).split("\\.");
			if (parts.length < 2) {
				return null;
			}
			String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
			Matcher tenant = Pattern.compile("\"tenant\"\\s*:\\s*\"([^\"]+)\"").matcher(claims);
			return tenant.find() ? tenant.group(1) : null;
		}

	}

	private record Route(String method, Pattern path, Function<Request, Response> handler) {
	}

}
