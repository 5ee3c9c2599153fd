package io.scalarhub.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import io.scalarhub.test.Polling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real apps (discovery, config-server, auth-server, the three services, gateway) started by the README's
 * run command, exercised only through the gateway as an API consumer would: a token from
 * {@code /oauth2/token}, then customers. customer-service gets its database only from config-server and
 * finds nobody but through Eureka, so a green run also proves config import and discovery.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class SuiteEndToEndTest {

	/**
	 * HTTP/1.1, as the gateway speaks on plain TCP: the JDK client's default HTTP/2 offers an h2c upgrade
	 * first, and a burst of concurrent requests behind that offer once stalled a CI run. Every request also
	 * has a timeout, so that nothing can hang the build.
	 */
	static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

	static final JsonMapper json = JsonMapper.builder().build();

	/** When this suite was started: GC logs older than that are an earlier suite's. */
	static Instant suiteStarted;

	@BeforeAll
	static void startSuite() {
		// file times have a coarser grain than the clock on some file systems
		suiteStarted = Instant.now().minusSeconds(1);
		LocalSuite.up();
	}

	@AfterAll
	static void stopSuiteAndCheckNothingIsLeft() throws Exception {
		// file times have a coarser grain than the clock on some file systems
		Instant stopping = Instant.now().minusSeconds(1);
		List<Long> pids = LocalSuite.down();
		// the run folder is the build's: a JVM that recorded class data is killed once its app has shut down, before
		// it writes the data (on two cores, nine JVMs writing AOT caches at once made this stop about 60 s longer)
		assertThat(LocalSuite.classDataWrittenSince(stopping)).as("class data written by the final stop").isEmpty();
		// the apps, and Prometheus where it is installed
		assertThat(pids).hasSize(LocalSuite.APPS.size() + (LocalSuite.prometheusInstalled() ? 1 : 0));
		// down.sh returns once every JVM has exited; an exited process is reaped a moment later
		CompletableFuture<?>[] exits = pids.stream()
			.map((pid) -> ProcessHandle.of(pid).map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null)))
			.toArray(CompletableFuture[]::new);
		CompletableFuture.allOf(exits).get(15, TimeUnit.SECONDS);
		assertThat(pids).as("processes left after down.sh")
			.noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
		// after every check's traffic, the drills' restarts and the JVMs' exits: no app's code cache is too small for
		// what it compiles. Since JDK 20 a JVM collects to unload code each time its compiled code has grown by 15 % of
		// the cache's size (SweeperThreshold): with a 64 MiB cache that was every ~10 MB, 2-4 full collections of up to
		// a second in every JVM's first minute or two; with the JDK's 240 MiB, the first comes after ~36 MB, the next
		// only after as much again. When ~36 MB is reached depends on the load and the machine (205-564 s of uptime in
		// first instances; 118 and 87 s, in two CI runs, in the rolling restart's surge instance, which starts with no
		// class data on a first run and then carries all of its service's traffic), so what is checked is the count,
		// not the time: at most one in a JVM's first two minutes (docs/performance.md, "Footprint"). Each JVM writes
		// its own GC log file: the JDK rotates the file at start.
		Map<String, List<String>> codeCacheCollectionsByJvm = LocalSuite
			.gcLogLines(suiteStarted, "Pause Full (CodeCache")
			.stream()
			.filter((line) -> LocalSuite.uptimeSeconds(line) < 120)
			.collect(Collectors.groupingBy((line) -> line.substring(0, line.indexOf(": ")), TreeMap::new,
					Collectors.toList()));
		assertThat(codeCacheCollectionsByJvm).as("full collections for the code cache in a JVM's first two minutes")
			.allSatisfy((jvm, collections) -> assertThat(collections).as(jvm).hasSizeLessThanOrEqualTo(1));
		assertThat(LocalSuite.gcLogLines(suiteStarted, "Using Serial")).as("the GC logs this suite's JVMs wrote")
			.hasSizeGreaterThanOrEqualTo(LocalSuite.APPS.size());
	}

	/** Traces, metrics, logs and health of the same running suite (ObservabilityChecks). */
	@Nested
	@Order(1)
	class Observability extends ObservabilityChecks {

	}

	/**
	 * The bad-input corpus (BadInputChecks): 1,000 hostile requests per service, through the gateway and straight,
	 * none of which may be a 5xx, leak internals or write a row.
	 */
	@Nested
	@Order(2)
	class BadInput extends BadInputChecks {

	}

	/**
	 * The instance drills (InstanceDrills): one of two instances killed, and a rolling restart, under load; last, as
	 * they start, kill and restart instances of the suite the other checks read.
	 */
	@Nested
	@Order(3)
	class Instances extends InstanceDrills {

	}

	static String token(String clientId, String secret, String scope) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + "/oauth2/token"))
			.header("Authorization",
					"Basic " + Base64.getEncoder()
						.encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers
				.ofString("grant_type=client_credentials" + (scope.isEmpty() ? "" : "&scope=" + scope))));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = json.readTree(response.body());
		assertThat(body.get("token_type").asString()).isEqualTo("Bearer");
		return body.get("access_token").asString();
	}

	static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
	}

	static HttpRequest.Builder api(String path, String token) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + path)).timeout(REQUEST_TIMEOUT);
		return (token != null) ? builder.header("Authorization", "Bearer " + token) : builder;
	}

	@Test
	void aDemoClientCreatesAndReadsBackACustomerThroughTheGateway() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "customers:read customers:write");
		String email = "e2e-" + UUID.randomUUID() + "@example.com";
		HttpResponse<String> created = send(api("/v1/customers", token).header("Content-Type", "application/json")
			.header("X-Request-Id", "e2e-create-1")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Grace Hopper\",\"email\":\"" + email + "\"}")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(created.headers().firstValue("X-Request-Id")).hasValue("e2e-create-1");
		assertThat(created.headers().firstValue("X-Trace-Id").orElseThrow()).matches("[0-9a-f]{32}");
		String location = created.headers().firstValue("Location").orElseThrow();

		HttpResponse<String> read = send(api(location, token).GET());
		assertThat(read.statusCode()).isEqualTo(200);
		JsonNode customer = json.readTree(read.body());
		assertThat(customer.get("email").asString()).isEqualTo(email);
		assertThat(customer.get("status").asString()).isEqualTo("ACTIVE");
		assertThat(read.headers().firstValue("ETag")).hasValue("\"1\"");
	}

	/**
	 * The money path through the gateway: customer, two accounts, a deposit, a transfer; the balances are
	 * right, and replaying the transfer's key changes nothing.
	 */
	@Test
	void moneyMovesThroughTheGatewayExactlyOnce() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "");
		String customer = json.readTree(post("/v1/customers", token, null,
				"{\"name\":\"Mary Jackson\",\"email\":\"e2e-" + UUID.randomUUID() + "@example.com\"}", 201))
			.get("id")
			.asString();
		String from = json.readTree(post("/v1/accounts", token, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
		String to = json.readTree(post("/v1/accounts", token, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
		post("/v1/transactions", token, UUID.randomUUID().toString(),
				"{\"type\":\"DEPOSIT\",\"amount\":10000,\"currency\":\"EUR\",\"destinationAccountId\":\"" + from + "\"}",
				201);
		String transferKey = UUID.randomUUID().toString();
		String transfer = "{\"type\":\"TRANSFER\",\"amount\":2500,\"currency\":\"EUR\",\"sourceAccountId\":\"" + from
				+ "\",\"destinationAccountId\":\"" + to + "\"}";
		String first = post("/v1/transactions", token, transferKey, transfer, 201);
		HttpResponse<String> replay = send(api("/v1/transactions", token).header("Content-Type", "application/json")
			.header("Idempotency-Key", transferKey)
			.POST(HttpRequest.BodyPublishers.ofString(transfer)));
		assertThat(replay.statusCode()).isEqualTo(201);
		assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(replay.body()).isEqualTo(first);

		assertThat(balance(token, from)).isEqualTo(7500);
		assertThat(balance(token, to)).isEqualTo(2500);
		// the account shows its balance from the ledger; right after start-up the ledger may not answer
		// within account-service's 500 ms, and the account comes degraded (balance null, X-Degraded):
		// that is allowed for a while, a wrong balance never
		Instant deadline = Instant.now().plusSeconds(30);
		HttpResponse<String> account = send(api("/v1/accounts/" + from, token).GET());
		while (account.headers().firstValue("X-Degraded").isPresent() && Instant.now().isBefore(deadline)) {
			assertThat(json.readTree(account.body()).get("balance").isNull()).isTrue();
			LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
			account = send(api("/v1/accounts/" + from, token).GET());
		}
		assertThat(account.statusCode()).isEqualTo(200);
		assertThat(account.headers().firstValue("X-Degraded")).isEmpty();
		assertThat(json.readTree(account.body()).get("balance").get("amount").asLong()).isEqualTo(7500);

		// a customer with open accounts cannot be closed
		assertThat(send(api("/v1/customers/" + customer, token).DELETE()).statusCode()).isEqualTo(409);
	}

	/**
	 * Issue 4's walk-through: a product, a subscription whose first period is charged at once, then a billing
	 * run as of 40 days on (202, polled to COMPLETED) that charges the next period exactly once and marks an
	 * under-funded subscription PAST_DUE; a second run for the same date charges nothing more.
	 */
	@Test
	void aSubscriptionIsChargedOncePerPeriodByABillingRun() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "");
		String product = json.readTree(post("/v1/products", token, null, "{\"sku\":\"E2E-" + UUID.randomUUID()
				+ "\",\"name\":\"E2E plan\",\"price\":{\"amount\":1200,\"currency\":\"EUR\"},\"interval\":\"MONTH\"}",
				201))
			.get("id")
			.asString();
		String funded = subscribedAccount(token, product, 10_000);
		String underFunded = subscribedAccount(token, product, 1200);
		String fundedSubscription = funded.split(" ")[1];
		String underFundedSubscription = underFunded.split(" ")[1];
		assertThat(balance(token, funded.split(" ")[0])).isEqualTo(10_000 - 1200);

		String asOf = Instant.now().plus(Duration.ofDays(40)).toString();
		runBilling(token, asOf);
		Polling.until(Duration.ofSeconds(10), "the renewal charge visible on the funded account",
				() -> balanceUnchecked(token, funded.split(" ")[0]) == 10_000 - 2 * 1200);
		Polling.until(Duration.ofSeconds(10), "the under-funded subscription PAST_DUE",
				() -> "PAST_DUE".equals(subscriptionStatus(token, underFundedSubscription)));
		assertThat(subscriptionStatus(token, fundedSubscription)).isEqualTo("ACTIVE");
		assertThat(balance(token, underFunded.split(" ")[0])).isZero();

		// the same date again: both periods are paid or past due already, nothing is charged twice
		runBilling(token, asOf);
		assertThat(balance(token, funded.split(" ")[0])).isEqualTo(10_000 - 2 * 1200);
	}

	/**
	 * The two demo tenants through the gateway: the other tenant's client never reads, lists, moves, subscribes
	 * with or bills the demo tenant's objects (404 on reads, 422 as operands), may reuse its email, SKU and
	 * idempotency key, and the demo tenant's balance is untouched afterwards; the demo tenant's second (free)
	 * client sees its tenant's data.
	 */
	@Test
	void aClientOfAnotherTenantNeverSeesNorMovesTheDemoTenantsData() throws Exception {
		String demo = token("scalarhub-demo", "demo-secret", "");
		String other = token("scalarhub-other-tenant", "other-tenant-secret", "");
		String email = "tenant-" + UUID.randomUUID() + "@example.com";
		String sku = "TENANT-" + UUID.randomUUID();
		String product = json.readTree(post("/v1/products", demo, null, "{\"sku\":\"" + sku
				+ "\",\"name\":\"Demo plan\",\"price\":{\"amount\":500,\"currency\":\"EUR\"},\"interval\":\"MONTH\"}", 201))
			.get("id").asString();
		String customer = json.readTree(post("/v1/customers", demo, null,
				"{\"name\":\"Demo customer\",\"email\":\"" + email + "\"}", 201)).get("id").asString();
		String key = UUID.randomUUID().toString();
		String account = json.readTree(post("/v1/accounts", demo, key,
				"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
		post("/v1/transactions", demo, UUID.randomUUID().toString(),
				"{\"type\":\"DEPOSIT\",\"amount\":5000,\"currency\":\"EUR\",\"destinationAccountId\":\"" + account + "\"}", 201);
		String subscription = json.readTree(post("/v1/subscriptions", demo, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"productId\":\"" + product + "\",\"accountId\":\"" + account + "\"}",
				201)).get("id").asString();
		long demoBalance = balance(demo, account);

		// reads: 404, whatever the resource
		for (String path : List.of("/v1/customers/" + customer, "/v1/accounts/" + account,
				"/v1/accounts/" + account + "/balance", "/v1/products/" + product, "/v1/subscriptions/" + subscription)) {
			HttpResponse<String> read = send(api(path, other).GET());
			assertThat(read.statusCode()).as(path + ": " + read.body()).isEqualTo(404);
			assertThat(read.body()).as(path).doesNotContain(email);
		}
		// lists: never there
		for (String path : List.of("/v1/customers?email=" + email, "/v1/accounts?customerId=" + customer,
				"/v1/transactions?accountId=" + account, "/v1/subscriptions?customerId=" + customer,
				"/v1/products?size=100", "/v1/customers?size=100", "/v1/accounts?size=100")) {
			HttpResponse<String> list = send(api(path, other).GET());
			assertThat(list.statusCode()).as(path + ": " + list.body()).isIn(200, 404);
			assertThat(list.body()).as(path).doesNotContain(customer).doesNotContain(account).doesNotContain(product);
		}
		// the same email, SKU and idempotency key are the other tenant's own
		String otherCustomer = json.readTree(post("/v1/customers", other, null,
				"{\"name\":\"Other customer\",\"email\":\"" + email + "\"}", 201)).get("id").asString();
		post("/v1/products", other, null, "{\"sku\":\"" + sku
				+ "\",\"name\":\"Other plan\",\"price\":{\"amount\":500,\"currency\":\"EUR\"},\"interval\":\"MONTH\"}", 201);
		String otherAccount = json.readTree(post("/v1/accounts", other, key,
				"{\"customerId\":\"" + otherCustomer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
		assertThat(otherAccount).isNotEqualTo(account);
		// operands: the demo tenant's objects cannot be used
		post("/v1/accounts", other, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 422);
		post("/v1/transactions", other, UUID.randomUUID().toString(), "{\"type\":\"TRANSFER\",\"amount\":100,"
				+ "\"currency\":\"EUR\",\"sourceAccountId\":\"" + account + "\",\"destinationAccountId\":\"" + otherAccount + "\"}", 422);
		post("/v1/transactions", other, UUID.randomUUID().toString(), "{\"type\":\"WITHDRAWAL\",\"amount\":100,"
				+ "\"currency\":\"EUR\",\"sourceAccountId\":\"" + account + "\"}", 422);
		post("/v1/transactions", other, UUID.randomUUID().toString(), "{\"type\":\"DEPOSIT\",\"amount\":100,"
				+ "\"currency\":\"EUR\",\"destinationAccountId\":\"" + account + "\"}", 422);
		post("/v1/subscriptions", other, UUID.randomUUID().toString(), "{\"customerId\":\"" + customer
				+ "\",\"productId\":\"" + product + "\",\"accountId\":\"" + account + "\"}", 422);
		assertThat(send(api("/v1/accounts/" + account + "/freeze", other).POST(HttpRequest.BodyPublishers.noBody()))
			.statusCode()).isEqualTo(404);
		assertThat(send(api("/v1/customers/" + customer, other).DELETE()).statusCode()).isEqualTo(404);
		assertThat(send(api("/v1/subscriptions/" + subscription + "/cancel", other).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"atPeriodEnd\":false}"))).statusCode()).isEqualTo(404);
		// the other tenant's billing run, as of long after the demo subscription's period: it renews nothing of the demo tenant's
		runBilling(other, Instant.now().plus(Duration.ofDays(40)).toString());

		assertThat(balance(demo, account)).isEqualTo(demoBalance);
		assertThat(subscriptionStatus(demo, subscription)).isEqualTo("ACTIVE");
		String demoFree = token("scalarhub-demo-free", "free-secret", "customers:read");
		assertThat(send(api("/v1/customers/" + customer, demoFree).GET()).statusCode()).isEqualTo(200);
	}

	/** A customer with a EUR account holding {@code deposit}, subscribed to {@code product}: "account subscription". */
	private static String subscribedAccount(String token, String product, long deposit) throws Exception {
		String customer = json.readTree(post("/v1/customers", token, null,
				"{\"name\":\"Subscriber\",\"email\":\"e2e-" + UUID.randomUUID() + "@example.com\"}", 201))
			.get("id")
			.asString();
		String account = json.readTree(post("/v1/accounts", token, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
		post("/v1/transactions", token, UUID.randomUUID().toString(), "{\"type\":\"DEPOSIT\",\"amount\":" + deposit
				+ ",\"currency\":\"EUR\",\"destinationAccountId\":\"" + account + "\"}", 201);
		JsonNode subscription = json.readTree(post("/v1/subscriptions", token, UUID.randomUUID().toString(),
				"{\"customerId\":\"" + customer + "\",\"productId\":\"" + product + "\",\"accountId\":\"" + account
						+ "\"}",
				201));
		assertThat(subscription.get("status").asString()).isEqualTo("ACTIVE");
		return account + " " + subscription.get("id").asString();
	}

	private static void runBilling(String token, String asOf) throws Exception {
		HttpResponse<String> accepted = send(api("/v1/billing-runs", token).header("Content-Type", "application/json")
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.POST(HttpRequest.BodyPublishers.ofString("{\"asOf\":\"" + asOf + "\"}")));
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
		String location = accepted.headers().firstValue("Location").orElseThrow();
		assertThat(location).startsWith("/v1/billing-runs/");
		// the run renews everything of its tenant due by asOf, earlier runs' subscriptions included
		Polling.until(Duration.ofSeconds(180), Duration.ofMillis(500), "billing run " + location + " completed", () -> {
			HttpResponse<String> run = sendUnchecked(api(location, token).GET());
			String status = run.statusCode() == 200 ? json.readTree(run.body()).get("status").asString() : "";
			assertThat(status).isNotEqualTo("FAILED");
			return "COMPLETED".equals(status);
		});
	}

	private static String subscriptionStatus(String token, String subscription) {
		HttpResponse<String> response = sendUnchecked(api("/v1/subscriptions/" + subscription, token).GET());
		return response.statusCode() == 200 ? json.readTree(response.body()).get("status").asString() : "";
	}

	private static long balanceUnchecked(String token, String account) {
		try {
			return balance(token, account);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	static long balance(String token, String account) throws Exception {
		HttpResponse<String> response = send(api("/v1/accounts/" + account + "/balance", token).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body()).get("amount").asLong();
	}

	/**
	 * POSTs as a well-behaved API client does: a 503 (a dependency not answering yet, say a JVM still
	 * warming up) is retried with the same idempotency key after its Retry-After, within a deadline.
	 */
	static String post(String path, String token, String idempotencyKey, String body, int expectedStatus)
			throws Exception {
		Instant deadline = Instant.now().plusSeconds(60);
		HttpResponse<String> response;
		while (true) {
			HttpRequest.Builder request = api(path, token).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body));
			if (idempotencyKey != null) {
				request.header("Idempotency-Key", idempotencyKey);
			}
			response = send(request);
			if (response.statusCode() != 503 || idempotencyKey == null || Instant.now().isAfter(deadline)) {
				break;
			}
			long retryAfter = response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L);
			LockSupport.parkNanos(Duration.ofSeconds(retryAfter).toNanos());
		}
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(expectedStatus);
		return response.body();
	}

	@Test
	void requestsWithoutAGoodTokenAre401AtTheGateway() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "customers:read");
		String[] parts = token.split("\\.");
		String badSignature = parts[0] + "." + parts[1] + "."
				+ new StringBuilder(parts[2]).reverse();
		String algNone = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
		for (String presented : new String[] { null, badSignature, algNone }) {
			HttpResponse<String> response = send(api("/v1/customers", presented).GET());
			assertThat(response.statusCode()).as("token %s", presented).isEqualTo(401);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
			assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
		}
	}

	@Test
	void theFreeReadOnlyClientCannotWrite() throws Exception {
		String token = token("scalarhub-demo-free", "free-secret", "customers:read");
		HttpResponse<String> response = send(api("/v1/customers", token).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"X\",\"email\":\"x-" + UUID.randomUUID()
					+ "@example.com\"}")));
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(send(api("/v1/customers?size=1", token).GET()).statusCode()).isEqualTo(200);
	}

	@Test
	void aClientCannotObtainAScopeItWasNotGranted() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + "/oauth2/token"))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString("scalarhub-demo-free:free-secret".getBytes(StandardCharsets.UTF_8)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=customers:write")));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("invalid_scope");
	}

	@Test
	void theAuthorizationServerMetadataIsPublishedThroughTheGateway() throws Exception {
		HttpResponse<String> response = send(
				HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + "/.well-known/oauth-authorization-server")).GET());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode metadata = json.readTree(response.body());
		assertThat(metadata.get("issuer").asString()).isEqualTo(LocalSuite.GATEWAY);
		assertThat(metadata.get("token_endpoint").asString()).isEqualTo(LocalSuite.GATEWAY + "/oauth2/token");
	}

	/**
	 * The free demo client's token carries tier "free" (a burst of 20 in deploy/config/gateway.yml): a burst of
	 * 120 at once goes over it and is answered 429 with Retry-After, while the enterprise client is unaffected.
	 */
	@Test
	void theFreeTierClientIsRateLimitedAndAnotherClientIsNot() throws Exception {
		String free = token("scalarhub-demo-free", "free-secret", "customers:read");
		String enterprise = token("scalarhub-demo", "demo-secret", "customers:read");
		// 120 in waves of 20 at once: even if the gateway took seconds for them, 5 tokens a second could not
		// cover them, and no wave starves the gateway's CPU so badly that Redis seems down (it would fail open)
		List<HttpResponse<String>> responses = new java.util.ArrayList<>();
		HttpResponse<String> other = null;
		for (int wave = 0; wave < 6; wave++) {
			List<CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
			for (int i = 0; i < 20; i++) {
				burst.add(http.sendAsync(api("/v1/customers?size=1", free).GET().build(),
						HttpResponse.BodyHandlers.ofString()));
			}
			if (wave == 1) {
				other = send(api("/v1/customers?size=1", enterprise).GET());
			}
			burst.forEach((response) -> responses.add(response.join()));
		}
		assertThat(responses).allSatisfy((response) -> {
			assertThat(response.statusCode()).isIn(200, 429);
			assertThat(response.headers().firstValue("RateLimit-Limit")).hasValue("20");
			assertThat(response.headers().firstValue("RateLimit-Remaining")).isPresent();
			assertThat(response.headers().firstValue("RateLimit-Reset")).isPresent();
		});
		List<HttpResponse<String>> limited = responses.stream().filter((r) -> r.statusCode() == 429).toList();
		assertThat(limited).isNotEmpty();
		assertThat(limited.get(0).headers().firstValue("Retry-After").orElseThrow()).matches("[1-9][0-9]*");
		assertThat(limited.get(0).headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(other.statusCode()).isEqualTo(200);
		assertThat(other.headers().firstValue("RateLimit-Limit")).hasValue("5000");
		// leave the free client's bucket refilled for the other tests that use it: 5 tokens a second come
		// back, each probe (one a second) takes one
		Polling.until(Duration.ofSeconds(30), Duration.ofSeconds(1), "the free client's bucket refilled", () -> {
			HttpResponse<String> probe = sendUnchecked(api("/v1/customers?size=1", free).GET());
			return probe.statusCode() == 200
					&& Integer.parseInt(probe.headers().firstValue("RateLimit-Remaining").orElse("0")) >= 15;
		});
	}

	@Test
	void everyServicesOpenApiIsServedThroughTheGatewayForItsSwaggerUi() throws Exception {
		HttpResponse<String> config = send(
				HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + "/v3/api-docs/swagger-config")).GET());
		assertThat(config.statusCode()).isEqualTo(200);
		for (String service : new String[] { "customer-service", "account-service", "transaction-service",
				"product-service", "subscription-service" }) {
			assertThat(config.body()).contains("/api-docs/" + service);
			HttpResponse<String> docs = send(
					HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + "/api-docs/" + service)).GET());
			assertThat(docs.statusCode()).as(service).isEqualTo(200);
			JsonNode openApi = json.readTree(docs.body());
			assertThat(openApi.get("servers").get(0).get("url").asString()).isEqualTo(LocalSuite.GATEWAY);
			assertThat(openApi.get("components").get("securitySchemes").get("oauth2").get("flows")
				.get("clientCredentials").get("tokenUrl").asString()).isEqualTo(LocalSuite.GATEWAY + "/oauth2/token");
			assertThat(openApi.get("paths").propertyNames()).anyMatch((path) -> path.startsWith("/v1/"))
				.as("%s publishes no internal endpoint", service)
				.noneMatch((path) -> path.startsWith("/internal"));
		}
		HttpResponse<String> ui = send(
				HttpRequest.newBuilder(URI.create(LocalSuite.GATEWAY + "/swagger-ui/index.html")).GET());
		assertThat(ui.statusCode()).isEqualTo(200);
		assertThat(ui.body()).contains("swagger-ui");
	}

	static HttpResponse<String> sendUnchecked(HttpRequest.Builder request) {
		try {
			return send(request);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The internal API answers platform services only: an API client's token, however many scopes it has, is
	 * 403 on every internal route of every service, straight at the service (the gateway routes none of them),
	 * and nothing is charged or changed. (That the services' own calls get through is what every money test
	 * above shows: opening accounts, subscribing and billing all go through the internal API.)
	 */
	@Test
	void anApiClientsTokenNeverOpensTheInternalApi() throws Exception {
		String enterprise = token("scalarhub-demo", "demo-secret", "");
		String free = token("scalarhub-demo-free", "free-secret", "");
		String id = UUID.randomUUID().toString();
		record Route(String app, String method, String path, String body) {
		}
		List<Route> routes = List.of(new Route("customer-service", "GET", "/internal/customers/" + id, null),
				new Route("account-service", "GET", "/internal/accounts/" + id, null),
				new Route("account-service", "GET", "/internal/accounts/not-closed?customerId=" + id, null),
				new Route("transaction-service", "PUT", "/internal/ledger/accounts/" + id, "{\"currency\":\"EUR\"}"),
				new Route("transaction-service", "PUT", "/internal/ledger/accounts/" + id + "/status", "{\"status\":\"FROZEN\"}"),
				new Route("transaction-service", "GET", "/internal/ledger/accounts/" + id, null),
				new Route("transaction-service", "PUT", "/internal/ledger/charges/" + id,
						"{\"accountId\":\"" + id + "\",\"amount\":100,\"currency\":\"EUR\",\"description\":\"x\"}"),
				new Route("product-service", "GET", "/internal/products/" + id, null),
				new Route("subscription-service", "GET", "/internal/subscriptions/active?customerId=" + id, null));
		for (String token : List.of(enterprise, free)) {
			for (Route route : routes) {
				HttpRequest.Builder request = HttpRequest
					.newBuilder(URI.create("http://localhost:" + LocalSuite.port(route.app()) + route.path()))
					.header("Authorization", "Bearer " + token)
					.header("X-Scalarhub-Tenant", "d3e00000-0000-4000-8000-000000000001")
					.header("Content-Type", "application/json")
					.method(route.method(), (route.body() != null) ? HttpRequest.BodyPublishers.ofString(route.body())
							: HttpRequest.BodyPublishers.noBody());
				HttpResponse<String> response = send(request);
				assertThat(response.statusCode()).as("%s %s", route.method(), route.path()).isEqualTo(403);
				assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			}
		}
	}

	/**
	 * Locally nothing of the suite answers from the network: every socket every app JVM listens on (API,
	 * management, anything else) is bound to 127.0.0.1. Read from the kernel: the sockets among each JVM's open
	 * file descriptors, matched with the listening entries of /proc/net/tcp and tcp6.
	 */
	@Test
	void everyAppListensOnLoopbackOnly() throws Exception {
		java.util.Map<String, String> listening = new java.util.HashMap<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(table));
			for (String line : lines.subList(1, lines.size())) {
				String[] fields = line.trim().split("\\s+");
				if ("0A".equals(fields[3])) {
					listening.put(fields[9], fields[1]);
				}
			}
		}
		// the apps, and Prometheus where up.sh started it
		List<Long> pids = LocalSuite.pids();
		assertThat(pids).hasSizeGreaterThanOrEqualTo(LocalSuite.APPS.size());
		int sockets = 0;
		for (long pid : pids) {
			try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/fd"))) {
				for (java.nio.file.Path fd : fds.toList()) {
					String target;
					try {
						target = java.nio.file.Files.readSymbolicLink(fd).toString();
					}
					catch (java.io.IOException closedMeanwhile) {
						continue;
					}
					String local = target.startsWith("socket:[") ? listening.get(target.substring(8, target.length() - 1)) : null;
					if (local != null) {
						sockets++;
						// 127.0.0.1 as the kernel writes it (little-endian hex), in tcp or, IPv4-mapped, in tcp6
						assertThat(local).as("a listening socket of pid %d", pid)
							.matches("(0000000000000000FFFF0000)?0100007F:[0-9A-F]{4}");
					}
				}
			}
		}
		assertThat(sockets).as("listening sockets found").isGreaterThanOrEqualTo(2 * LocalSuite.APPS.size());
	}

	/**
	 * Whoever can register an instance in Eureka (a stranger cannot: 401; this test plays an insider holding the
	 * registry's credentials) cannot become the platform's authority: an impostor registered
	 * as AUTH-SERVER, serving a key set of its own, never sees a request (no key set fetch, no token request,
	 * no client secret), and tokens it signed for the real issuer are 401 at the gateway and at every service,
	 * for longer than the registry and load-balancer caches take to list it, while the suite keeps working.
	 */
	@Test
	void aRogueAuthServerRegisteredInEurekaIsNeverBelieved() throws Exception {
		com.nimbusds.jose.jwk.RSAKey rogueKey = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("rogue-key").generate();
		java.util.concurrent.atomic.AtomicInteger rogueRequests = new java.util.concurrent.atomic.AtomicInteger();
		com.sun.net.httpserver.HttpServer rogue = com.sun.net.httpserver.HttpServer
			.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
		byte[] jwks = new com.nimbusds.jose.jwk.JWKSet(rogueKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
		rogue.createContext("/", (exchange) -> {
			rogueRequests.incrementAndGet();
			exchange.sendResponseHeaders(200, jwks.length);
			exchange.getResponseBody().write(jwks);
			exchange.close();
		});
		rogue.start();
		String discovery = "http://localhost:" + LocalSuite.port("discovery") + "/eureka/apps/AUTH-SERVER";
		String instance = "rogue-auth-server";
		String registration = "{\"instance\":{\"instanceId\":\"" + instance
				+ "\",\"hostName\":\"127.0.0.1\",\"app\":\"AUTH-SERVER\",\"ipAddr\":\"127.0.0.1\",\"status\":\"UP\","
				+ "\"port\":{\"$\":" + rogue.getAddress().getPort() + ",\"@enabled\":\"true\"},"
				+ "\"dataCenterInfo\":{\"@class\":\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"}}}";
		try {
			// a stranger cannot register at all
			assertThat(send(HttpRequest.newBuilder(URI.create(discovery))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(registration))).statusCode()).isEqualTo(401);
			// an insider holding the registry's credentials can: the rest of this test is about them
			HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(discovery))
				.header("Content-Type", "application/json")
				.header("Authorization", LocalSuite.registryCredentials())
				.POST(HttpRequest.BodyPublishers.ofString(registration)));
			assertThat(registered.statusCode()).as(registered.body()).isEqualTo(204);
			com.nimbusds.jwt.SignedJWT forged = new com.nimbusds.jwt.SignedJWT(
					new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256).keyID("rogue-key").build(),
					new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(LocalSuite.GATEWAY)
						.subject("scalarhub-demo")
						.claim("client_id", "scalarhub-demo")
						.claim("scope", List.of("customers:read", "internal"))
						.claim("tenant", "d3e00000-0000-4000-8000-000000000001")
						.issueTime(new java.util.Date())
						.expirationTime(java.util.Date.from(Instant.now().plusSeconds(600)))
						.build());
			forged.sign(new com.nimbusds.jose.crypto.RSASSASigner(rogueKey));
			String forgedToken = forged.serialize();
			String demo = token("scalarhub-demo", "demo-secret", "");
			// the registry's response cache (2 s), a registry fetch (5 s) and the load-balancer cache (3 s), and
			// more: every app has listed the impostor for a while
			Instant until = Instant.now().plusSeconds(20);
			int rounds = 0;
			while (Instant.now().isBefore(until) || rounds < 3) {
				rounds++;
				assertThat(send(api("/v1/customers?size=1", forgedToken).GET()).statusCode()).as("gateway").isEqualTo(401);
				assertThat(send(HttpRequest.newBuilder(URI.create("http://localhost:" + LocalSuite.port("customer-service")
						+ "/v1/customers?size=1")).header("Authorization", "Bearer " + forgedToken).GET()).statusCode())
					.as("customer-service").isEqualTo(401);
				assertThat(send(HttpRequest.newBuilder(URI.create("http://localhost:" + LocalSuite.port("transaction-service")
						+ "/internal/ledger/accounts/" + UUID.randomUUID())).header("Authorization", "Bearer " + forgedToken)
					.header("X-Scalarhub-Tenant", "d3e00000-0000-4000-8000-000000000001").GET()).statusCode())
					.as("transaction-service, internal").isEqualTo(401);
				// meanwhile the services' own calls (an account checks its customer with customer-service, with
				// account-service's token) and tokens from the gateway work as ever
				String customer = json.readTree(post("/v1/customers", demo, null,
						"{\"name\":\"Rogue test\",\"email\":\"rogue-" + UUID.randomUUID() + "@example.com\"}", 201)).get("id").asString();
				post("/v1/accounts", demo, UUID.randomUUID().toString(),
						"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201);
				token("scalarhub-demo-free", "free-secret", "customers:read");
			}
			assertThat(rogueRequests.get()).as("requests the impostor received").isZero();
		}
		finally {
			send(HttpRequest.newBuilder(URI.create(discovery + "/" + instance))
				.header("Authorization", LocalSuite.registryCredentials())
				.DELETE());
			rogue.stop(0);
		}
	}

	/**
	 * The suite's own infrastructure answers nobody without credentials: the registry (reads, registrations,
	 * deregistrations), config-server (every app's configuration), and every management port past its probes;
	 * the configuration it serves holds secrets only as {cipher} values.
	 */
	@Test
	void discoveryConfigAndManagementPortsRefuseStrangers() throws Exception {
		String registry = "http://localhost:" + LocalSuite.port("discovery");
		for (HttpRequest.Builder stranger : List.of(HttpRequest.newBuilder(URI.create(registry + "/eureka/apps")),
				HttpRequest.newBuilder(URI.create(registry + "/eureka/apps/GATEWAY")).DELETE(),
				HttpRequest.newBuilder(URI.create(registry + "/eureka/apps/CUSTOMER-SERVICE"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{}")),
				HttpRequest.newBuilder(URI.create(registry + "/")))) {
			assertThat(send(stranger).statusCode()).isEqualTo(401);
		}
		assertThat(send(HttpRequest.newBuilder(URI.create(registry + "/eureka/apps"))
			.header("Authorization", LocalSuite.registryCredentials())
			.header("Accept", "application/json")).statusCode()).isEqualTo(200);

		String config = "http://localhost:" + LocalSuite.port("config-server");
		for (String app : List.of("auth-server", "customer-service", "application")) {
			assertThat(send(HttpRequest.newBuilder(URI.create(config + "/" + app + "/default"))).statusCode()).as(app)
				.isEqualTo(401);
			HttpResponse<String> served = send(HttpRequest.newBuilder(URI.create(config + "/" + app + "/default"))
				.header("Authorization", LocalSuite.basic("scalarhub", LocalSuite.secret("SCALARHUB_CONFIG_SERVER_PASSWORD"))));
			assertThat(served.statusCode()).as(app).isEqualTo(200);
			// secrets only as ciphertext: no bcrypt hash, no service or database password in clear
			assertThat(served.body()).as(app)
				.doesNotContain("$2a$", "customer-service-secret", "\"password\":\"scalarhub\"");
		}

		for (String app : LocalSuite.APPS) {
			String management = "http://localhost:" + LocalSuite.managementPort(app);
			HttpResponse<String> readiness = send(HttpRequest.newBuilder(URI.create(management + "/actuator/health/readiness")));
			assertThat(readiness.statusCode()).as(app).isEqualTo(200);
			assertThat(readiness.body()).as(app).contains("UP").doesNotContain("components");
			assertThat(send(HttpRequest.newBuilder(URI.create(management + "/actuator/prometheus"))).statusCode()).as(app)
				.isEqualTo(401);
			assertThat(send(HttpRequest.newBuilder(URI.create(management + "/actuator/prometheus"))
				.header("Authorization", LocalSuite.operator())).statusCode()).as(app).isEqualTo(200);
		}
	}

	/**
	 * The operator rotates the signing key while clients keep calling: a token signed before the rotation and one
	 * signed after are both accepted, at the gateway and at a service, request after request; the old key stays
	 * published beside the new one.
	 */
	@Test
	void aKeyRotationUnderTrafficBreaksNoToken() throws Exception {
		String before = token("scalarhub-demo", "demo-secret", "customers:read");
		String auth = "http://localhost:" + LocalSuite.managementPort("auth-server") + "/actuator/signingkeys";
		assertThat(send(HttpRequest.newBuilder(URI.create(auth)).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
			.as("a stranger cannot rotate").isEqualTo(401);
		// the key set outlives a suite (it is in the auth database): earlier rotations' keys may still be published
		List<String> earlier = keyIds(send(HttpRequest.newBuilder(URI.create(auth)).header("Authorization", LocalSuite.operator())));
		HttpResponse<String> rotated = send(HttpRequest.newBuilder(URI.create(auth))
			.header("Authorization", LocalSuite.operator())
			.POST(HttpRequest.BodyPublishers.noBody()));
		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		// the new key is published at once, beside the one that signed before, and signs a moment later (two of
		// auth-server's refresh intervals)
		List<String> published = keyIds(rotated);
		assertThat(published).contains(kid(before));
		List<String> added = published.stream().filter((kid) -> !earlier.contains(kid)).toList();
		assertThat(added).hasSize(1);
		String[] after = new String[1];
		Polling.until(Duration.ofSeconds(30), "tokens signed with the new key", () -> {
			try {
				after[0] = token("scalarhub-demo", "demo-secret", "customers:read");
				return kid(after[0]).equals(added.get(0));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		String customers = "http://localhost:" + LocalSuite.port("customer-service") + "/v1/customers?size=1";
		for (int round = 0; round < 25; round++) {
			for (String token : List.of(before, after[0])) {
				assertThat(send(api("/v1/customers?size=1", token).GET()).statusCode()).as("gateway").isEqualTo(200);
				assertThat(send(HttpRequest.newBuilder(URI.create(customers)).header("Authorization", "Bearer " + token))
					.statusCode()).as("customer-service").isEqualTo(200);
			}
		}
	}

	private static List<String> keyIds(HttpResponse<String> signingKeys) {
		assertThat(signingKeys.statusCode()).as(signingKeys.body()).isEqualTo(200);
		List<String> ids = new java.util.ArrayList<>();
		json.readTree(signingKeys.body()).get("published").forEach((id) -> ids.add(id.asString()));
		return ids;
	}

	private static String kid(String token) throws Exception {
		return com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getKeyID();
	}

	@Test
	void aServiceCalledDirectlyWithoutATokenIs401() throws Exception {
		HttpResponse<String> response = send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + LocalSuite.port("customer-service") + "/v1/customers"))
					.GET());
		assertThat(response.statusCode()).isEqualTo(401);
	}

}
