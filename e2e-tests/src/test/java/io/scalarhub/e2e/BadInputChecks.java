package io.scalarhub.e2e;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import io.scalarhub.e2e.BadInputCorpus.Mutation;
import io.scalarhub.test.Polling;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.scalarhub.e2e.SuiteEndToEndTest.json;
import static io.scalarhub.e2e.SuiteEndToEndTest.post;
import static io.scalarhub.e2e.SuiteEndToEndTest.send;
import static io.scalarhub.e2e.SuiteEndToEndTest.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus ({@link BadInputCorpus}) against the suite started by {@link SuiteEndToEndTest} (run
 * there as a nested class, after the outer tests, so nothing else writes meanwhile): every hostile request
 * through the gateway and straight to its service, with the demo client's token so that it reaches
 * validation. Refused cleanly means: never a 5xx, never a 2xx, every error a problem+json with type, title
 * and status, no stack trace, class name or SQL in any body, and not one row of any service database
 * added, removed or changed.
 */
abstract class BadInputChecks {

	/** Where each service listens; its operations are sent here straight as well as through the gateway. */
	static final Map<String, Integer> SERVICE_PORTS = new LinkedHashMap<>();

	static {
		LocalSuite.SUITE.services().forEach((app) -> SERVICE_PORTS.put(app.name(), LocalSuite.port(app.name())));
	}

	static final List<String> DATABASES = List.of("customer", "account", "ledger", "product", "subscription");

	/** What no answer may show a client: a stack trace, a class or package name, SQL or a database message. */
	static final Pattern LEAK = Pattern.compile(
			"java\\.|javax\\.|jakarta\\.|io\\.scalarhub|org\\.springframework|reactor\\.|Exception|Caused by|\\bat org\\.|\\bat java\\.|"
					+ "SELECT |INSERT |UPDATE |DELETE FROM|violates|relation \"|duplicate key|SQLSTATE|syntax error at");

	/** Modest: two cores run the whole suite and this client. */
	static final int IN_FLIGHT = 6;

	static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

	static final Duration CORPUS_DEADLINE = Duration.ofMinutes(4);

	@Test
	void everyServiceRefusesItsBadInputCorpusCleanlyWithoutWritingAnything() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "");
		Map<String, String> fixtures = fixtures(token);

		Map<String, List<Mutation>> corpus = new LinkedHashMap<>();
		for (Map.Entry<String, Integer> service : SERVICE_PORTS.entrySet()) {
			HttpResponse<String> docs = send(HttpRequest
				.newBuilder(URI.create("http://localhost:" + service.getValue() + "/v3/api-docs")).GET());
			assertThat(docs.statusCode()).as(service.getKey() + " /v3/api-docs").isEqualTo(200);
			List<Mutation> mutations = BadInputCorpus.generate(service.getKey(), json.readTree(docs.body()));
			assertThat(mutations).as("hostile requests for %s", service.getKey())
				.hasSizeGreaterThanOrEqualTo(BadInputCorpus.PER_SERVICE);
			corpus.put(service.getKey(), mutations);
		}

		// the billing worker writes only while a requested run is open (heartbeats, leases, items); runs left
		// open by an earlier suite that was stopped are taken over and finished first
		Polling.until(Duration.ofSeconds(120), Duration.ofSeconds(1), "no billing run pending or running",
				() -> openBillingRuns() == 0);
		// rows of idempotency_key older than a day may be purged meanwhile: only younger ones are compared
		Timestamp stableSince = Timestamp.from(Instant.now().minus(Duration.ofHours(1)));
		Map<String, String> before = databaseState(stableSince);

		Results results = new Results();
		Instant started = Instant.now();
		ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
		try {
			List<Future<?>> sent = new ArrayList<>();
			for (List<Mutation> mutations : corpus.values()) {
				for (Mutation mutation : mutations) {
					for (String route : List.of("gateway", "direct")) {
						sent.add(pool.submit(() -> {
							try {
								HttpResponse<String> response = sendOne(mutation, route, token, fixtures);
								// a 503 with Retry-After is the suite saying it is busy (a database pool
								// exhausted on two shared cores): retried once after it, as a client would
								if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()) {
									results.retried.incrementAndGet();
									LockSupport.parkNanos(Duration.ofSeconds(Math.min(2,
											Long.parseLong(response.headers().firstValue("Retry-After").get()))).toNanos());
									response = sendOne(mutation, route, token, fixtures);
								}
								results.record(mutation, route, response);
							}
							catch (RuntimeException ex) {
								results.unanswered(mutation, route, ex);
							}
						}));
					}
				}
			}
			Instant deadline = started.plus(CORPUS_DEADLINE);
			for (Future<?> future : sent) {
				future.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		Duration took = Duration.between(started, Instant.now());
		Map<String, String> after = databaseState(stableSince);

		results.print(corpus, took);
		java.nio.file.Files.write(LocalSuite.REPO_ROOT.resolve("e2e-tests/target/bad-input-findings.txt"), results.all);
		for (Map.Entry<String, List<Mutation>> service : corpus.entrySet()) {
			assertThat(results.perService.get(service.getKey()).get()).as("requests sent for %s", service.getKey())
				.isGreaterThanOrEqualTo(1_000);
		}
		assertThat(results.findings).as("findings (first %d shown)", Results.SHOWN).isEmpty();
		assertThat(results.unanswered.get()).as("requests without an answer").isZero();
		// 429s are a right answer, but the corpus is only worth something where it reached the services
		int throughGateway = results.perRoute.get("gateway").get();
		assertThat(results.gateway429.get()).as("rate-limited of %d through the gateway", throughGateway)
			.isLessThan(throughGateway / 20);
		assertThat(after).as("rows of every table of every service database").isEqualTo(before);
	}

	/**
	 * The objects mutations aim at (a PATCH of a real customer, a cancel of a real subscription), so that
	 * they reach the code behind the id lookup; created before the database state is taken.
	 */
	private static Map<String, String> fixtures(String token) throws Exception {
		String customer = json.readTree(post("/v1/customers", token, null,
				"{\"name\":\"Corpus fixture\",\"email\":\"corpus-" + UUID.randomUUID() + "@example.com\"}", 201))
			.get("id").asString();
		String account = json.readTree(post("/v1/accounts", token, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
		String transaction = json.readTree(post("/v1/transactions", token, UUID.randomUUID().toString(),
				"{\"type\":\"DEPOSIT\",\"amount\":10000,\"currency\":\"EUR\",\"destinationAccountId\":\"" + account + "\"}",
				201)).get("id").asString();
		String product = json.readTree(post("/v1/products", token, null, "{\"sku\":\"CORPUS-" + UUID.randomUUID()
				+ "\",\"name\":\"Corpus plan\",\"price\":{\"amount\":100,\"currency\":\"EUR\"},\"interval\":\"MONTH\"}", 201))
			.get("id").asString();
		String subscription = json.readTree(post("/v1/subscriptions", token, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"productId\":\"" + product + "\",\"accountId\":\"" + account + "\"}",
				201)).get("id").asString();
		Map<String, String> fixtures = new LinkedHashMap<>();
		fixtures.put("${customer}", customer);
		fixtures.put("${account}", account);
		fixtures.put("${transaction}", transaction);
		fixtures.put("${product}", product);
		fixtures.put("${subscription}", subscription);
		fixtures.put("${billingRun}", UUID.randomUUID().toString());
		return fixtures;
	}

	private static HttpResponse<String> sendOne(Mutation mutation, String route, String token,
			Map<String, String> fixtures) {
		String base = "gateway".equals(route) ? LocalSuite.GATEWAY
				: "http://localhost:" + SERVICE_PORTS.get(mutation.service());
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + BadInputCorpus.fill(mutation.path(), fixtures)))
			.timeout(REQUEST_TIMEOUT)
			.header("Authorization", "Bearer " + token)
			.header("X-Request-Id", "corpus-" + route);
		mutation.headers().forEach((name, value) -> request.header(name, BadInputCorpus.fill(value, fixtures)));
		request.method(mutation.method(), (mutation.body() != null)
				? HttpRequest.BodyPublishers.ofByteArray(BadInputCorpus.fill(mutation.body(), fixtures))
				: HttpRequest.BodyPublishers.noBody());
		try {
			if (mutation.headers().values().stream().anyMatch((value) -> value.chars().anyMatch((c) -> c > 0x7E))) {
				return RawHttp.send(request.build(), BadInputCorpus.fill(mutation.body() != null ? mutation.body()
						: new byte[0], fixtures), REQUEST_TIMEOUT);
			}
			return SuiteEndToEndTest.http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			throw new IllegalStateException(mutation + " via " + route + ": " + ex, ex);
		}
	}

	/**
	 * Every table of every service database: its row count and a digest of its rows. Read as the database
	 * superuser, whom the tables' row-level security does not hide rows from.
	 */
	static Map<String, String> databaseState(Timestamp stableSince) throws SQLException {
		Map<String, String> state = new TreeMap<>();
		for (String database : DATABASES) {
			try (Connection connection = superuser(database)) {
				List<String> tables = new ArrayList<>();
				try (ResultSet rows = connection.createStatement()
					.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
							+ "AND tablename <> 'flyway_schema_history' ORDER BY tablename")) {
					while (rows.next()) {
						tables.add(rows.getString(1));
					}
				}
				assertThat(tables).as("tables of database %s", database).isNotEmpty();
				for (String table : tables) {
					String where = "idempotency_key".equals(table) ? " WHERE created_at > ?" : "";
					try (PreparedStatement count = connection.prepareStatement("SELECT count(*), "
							+ "coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM " + table + " t" + where)) {
						if (!where.isEmpty()) {
							count.setTimestamp(1, stableSince);
						}
						try (ResultSet row = count.executeQuery()) {
							row.next();
							state.put(database + "." + table, row.getLong(1) + " rows, digest " + row.getString(2));
						}
					}
				}
			}
		}
		return state;
	}

	private static long openBillingRuns() {
		try (Connection connection = superuser("subscription");
				ResultSet row = connection.createStatement()
					.executeQuery("SELECT count(*) FROM billing_run WHERE status IN ('PENDING', 'RUNNING')")) {
			row.next();
			return row.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Connection superuser(String database) throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://" + env("SCALARHUB_PG_HOST", "127.0.0.1") + ":"
				+ env("SCALARHUB_PG_PORT", "55432") + "/" + database, env("SCALARHUB_PG_SUPERUSER", "postgres"), "");
	}

	/** The same environment variables the suite's apps and the platform tests read for the local PostgreSQL. */
	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}

	/** Counts and findings, filled by the sending threads. */
	static final class Results {

		static final int SHOWN = 40;

		final Map<String, AtomicInteger> perService = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> perRoute = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> perStatus = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> perServiceRouteStatus = new ConcurrentHashMap<>();

		final AtomicInteger gateway429 = new AtomicInteger();

		final AtomicInteger unanswered = new AtomicInteger();

		final AtomicInteger retried = new AtomicInteger();

		final List<String> findings = Collections.synchronizedList(new ArrayList<>());

		/** Every finding, for the file beside the test reports. */
		final List<String> all = Collections.synchronizedList(new ArrayList<>());

		void record(Mutation mutation, String route, HttpResponse<String> response) {
			count(this.perService, mutation.service());
			count(this.perRoute, route);
			int status = response.statusCode();
			count(this.perStatus, route + " " + status);
			count(this.perServiceRouteStatus, mutation.service() + " " + route + " " + status);
			if (status == 429 && "gateway".equals(route)) {
				this.gateway429.incrementAndGet();
			}
			String body = response.body();
			String where = mutation + " via " + route + " -> " + status;
			if (status >= 500) {
				finding(where + ": server error " + abbreviate(body));
			}
			else if (status < 400) {
				finding(where + ": accepted a request meant to be invalid " + abbreviate(body));
			}
			else {
				String contentType = response.headers().firstValue("Content-Type").orElse("");
				if (!contentType.startsWith("application/problem+json")) {
					finding(where + ": Content-Type '" + contentType + "' " + abbreviate(body));
				}
				else {
					try {
						JsonNode problem = json.readTree(body);
						if (!problem.path("type").isString() || !problem.path("title").isString()
								|| problem.path("status").asInt() != status) {
							finding(where + ": problem without type, title or status " + abbreviate(body));
						}
					}
					catch (RuntimeException ex) {
						finding(where + ": problem body is not JSON " + abbreviate(body));
					}
				}
			}
			if (body != null && LEAK.matcher(body).find()) {
				finding(where + ": leaks internals " + abbreviate(body));
			}
		}

		void unanswered(Mutation mutation, String route, RuntimeException error) {
			count(this.perService, mutation.service());
			count(this.perRoute, route);
			this.unanswered.incrementAndGet();
			finding(mutation + " via " + route + ": no answer: " + error.getMessage());
		}

		private void finding(String finding) {
			this.all.add(finding);
			synchronized (this.findings) {
				if (this.findings.size() < SHOWN) {
					this.findings.add(finding);
				}
				else {
					this.findings.set(SHOWN - 1, "... and more");
				}
			}
		}

		private static void count(Map<String, AtomicInteger> counts, String key) {
			counts.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
		}

		private static String abbreviate(String body) {
			return (body == null) ? "" : (body.length() > 300) ? body.substring(0, 300) + "…" : body;
		}

		void print(Map<String, List<Mutation>> corpus, Duration took) {
			StringBuilder out = new StringBuilder("\n=== bad-input corpus (seed ").append(Long.toHexString(BadInputCorpus.SEED))
				.append(") ===\n");
			corpus.forEach((service, mutations) -> out.append(String.format("%-22s %5d hostile requests, digest %s, sent %d%n",
					service, mutations.size(), BadInputCorpus.digest(mutations), this.perService.get(service).get())));
			out.append("per route: ").append(new TreeMap<>(this.perRoute)).append('\n');
			out.append("per status: ").append(new TreeMap<>(this.perStatus)).append('\n');
			out.append("per service, route and status: ").append(new TreeMap<>(this.perServiceRouteStatus)).append('\n');
			out.append("rate-limited through the gateway: ").append(this.gateway429.get()).append('\n');
			out.append("retried once after a 503 with Retry-After: ").append(this.retried.get()).append('\n');
			out.append("took ").append(took.toMillis()).append(" ms, ").append(IN_FLIGHT).append(" in flight\n");
			System.out.println(out);
		}

	}

}
