package io.scalarhub.e2e;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.scalarhub.test.Polling;
import org.junit.jupiter.api.Test;

import static io.scalarhub.e2e.SuiteEndToEndTest.api;
import static io.scalarhub.e2e.SuiteEndToEndTest.balance;
import static io.scalarhub.e2e.SuiteEndToEndTest.json;
import static io.scalarhub.e2e.SuiteEndToEndTest.post;
import static io.scalarhub.e2e.SuiteEndToEndTest.send;
import static io.scalarhub.e2e.SuiteEndToEndTest.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The instance drills of docs/reliability.md on the suite {@link SuiteEndToEndTest} started, with a second instance
 * started by {@code deploy/local/scale.sh}, under steady load through the gateway as API clients send it. Each prints
 * one verdict line with its figures and asserts the bar: no failed request.
 */
abstract class InstanceDrills {

	/**
	 * kill -9 of one of two transaction-service instances while clients read balances and post keyed transfers
	 * (retrying as a well-behaved client does, with the same key): no read fails, and every transfer is in the
	 * ledger exactly once, which the balances prove.
	 */
	@Test
	void killingOneOfTwoInstancesFailsNoRequestAndLosesOrRepeatsNoTransfer() throws Exception {
		Bank bank = Bank.open(token("scalarhub-demo", "demo-secret", ""));
		try {
			LocalSuite.scale("transaction-service", "2");
			try (Load load = bank.load()) {
				double retriesBefore = gatewayRetries();
				long pid = Long.parseLong(Files.readString(LocalSuite.pidFile("transaction-service.2")).trim());
				ProcessHandle.of(pid).orElseThrow().destroyForcibly();
				long killedAt = System.nanoTime();
				// past the ejection time (10 s), so that the dead instance is tried again, and failed over again
				Polling.until(Duration.ofSeconds(60), "load to run 15 s past the kill",
						() -> System.nanoTime() - killedAt > Duration.ofSeconds(15).toNanos() && load.requests() > 200);
				load.stop();
				double retried = gatewayRetries() - retriesBefore;
				System.out.println("drill instance-kill: " + load.verdict() + "; the gateway retried " + (long) retried
						+ " on the other instance");
				assertThat(load.failures()).as("failed requests").isEmpty();
				// the dead instance was chosen at least once: otherwise this drill proved nothing
				assertThat(retried).as("requests the gateway sent to the killed instance and retried").isPositive();
				assertThat(load.unfinishedWrites()).as("transfers never acknowledged").isZero();
			}
			// every acknowledged transfer posted once: each balance is what the acknowledged transfers make it
			bank.assertBalancesMatchTheAcknowledgedTransfers();
		}
		finally {
			LocalSuite.scale("transaction-service", "1");
		}
	}

	/**
	 * A second transaction-service instance in a network namespace of its own, whose link is taken down under the same
	 * load (deploy/drills/partition.sh): no request started more than 10 s after the cut fails, and every transfer the
	 * clients saw acknowledged is in the ledger exactly once. Requests in flight on the cut instance at that moment may
	 * fail (504 after the route's 5 s: nothing answers them); when its ejection ends, one request pays a connect
	 * timeout (500 ms) to find it still cut, until Eureka drops it. A transfer caught there mid-transaction keeps its
	 * idempotency key until PostgreSQL ends the orphaned transaction (30 s): its client is answered 409 and retries,
	 * which is no failure (nothing is lost or posted twice). The verdict line reports all three.
	 */
	@Test
	void aPartitionedInstanceLeavesRotationWithin10sAndLosesNothingItAcknowledged() throws Exception {
		Bank bank = Bank.open(token("scalarhub-demo", "demo-secret", ""));
		try {
			LocalSuite.partition("start", "transaction-service");
			try (Load load = bank.load()) {
				long cutAt = System.nanoTime();
				LocalSuite.partition("cut");
				// well past the ejection time (10 s): a cut instance offered again must be ejected again without harm
				Polling.until(Duration.ofSeconds(60), "load to run 25 s past the cut",
						() -> System.nanoTime() - cutAt > Duration.ofSeconds(25).toNanos());
				load.stop();
				Duration failingFor = load.lastAffectedStartedAfter(cutAt, null);
				Duration slowedFor = load.lastAffectedStartedAfter(cutAt, Duration.ofMillis(500));
				System.out.println("drill partition: requests failed until " + failingFor.toMillis()
						+ " ms after the cut, slowed (500 ms or more) until " + slowedFor.toMillis()
						+ " ms, a key held (409, retried) until " + load.lastKeyInUseStartedAfter(cutAt).toMillis()
						+ " ms; " + load.verdict());
				assertThat(failingFor).as("time from the cut to the start of the last request that failed")
					.isLessThanOrEqualTo(Duration.ofSeconds(10));
				assertThat(load.unfinishedWrites()).as("transfers never acknowledged").isZero();
			}
			bank.assertBalancesMatchTheAcknowledgedTransfers();
		}
		finally {
			LocalSuite.partition("stop");
		}
	}

	/**
	 * A rolling restart of customer-service (one instance: scale.sh starts a second one to carry the traffic, restarts
	 * the first, stops the second) while clients read customers and create new ones without an idempotency key, which
	 * nobody may retry for them: not one request fails.
	 */
	@Test
	void aRollingRestartFailsNoRequest() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "");
		List<String> customers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			customers.add(json.readTree(post("/v1/customers", token, UUID.randomUUID().toString(),
					"{\"name\":\"Rolling " + i + "\",\"email\":\"roll-" + UUID.randomUUID() + "@example.com\"}", 201))
				.get("id")
				.asString());
		}
		try (Load load = new Load()) {
			for (int i = 0; i < 2; i++) {
				load.reader(() -> api("/v1/customers/" + pick(customers), token).GET(), 10);
			}
			load.reader(() -> api("/v1/customers", token).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(
						"{\"name\":\"Rolling\",\"email\":\"roll-" + UUID.randomUUID() + "@example.com\"}")), 4);
			load.awaitRequests(30);
			long started = System.nanoTime();
			LocalSuite.scale("restart", "customer-service");
			load.stop();
			System.out.println("drill rolling-restart: restart took "
					+ Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s; " + load.verdict());
			assertThat(load.failures()).as("failed requests").isEmpty();
		}
	}

	/** scalarhub_gateway_retries_total, all routes, from the gateway's own metrics (management port). */
	private static double gatewayRetries() throws Exception {
		HttpResponse<String> scrape = send(HttpRequest
			.newBuilder(java.net.URI.create("http://127.0.0.1:" + LocalSuite.managementPort("gateway") + "/actuator/prometheus"))
			.header("Authorization", LocalSuite.operator())
			.GET());
		assertThat(scrape.statusCode()).isEqualTo(200);
		return scrape.body()
			.lines()
			.filter((line) -> line.startsWith("scalarhub_gateway_retries_total"))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	/**
	 * Four accounts of one customer, 100,000 each, and the balances the transfers the clients saw acknowledged make:
	 * the bank test the drills run under.
	 */
	record Bank(String token, List<String> accounts, Map<String, Long> expected) {

		static final long DEPOSIT = 100_000;

		static Bank open(String token) throws Exception {
			String customer = json.readTree(post("/v1/customers", token, UUID.randomUUID().toString(),
					"{\"name\":\"Drill\",\"email\":\"drill-" + UUID.randomUUID() + "@example.com\"}", 201))
				.get("id")
				.asString();
			List<String> accounts = new ArrayList<>();
			Map<String, Long> expected = new ConcurrentHashMap<>();
			for (int i = 0; i < 4; i++) {
				String account = json.readTree(post("/v1/accounts", token, UUID.randomUUID().toString(),
						"{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\"}", 201)).get("id").asString();
				post("/v1/transactions", token, UUID.randomUUID().toString(),
						"{\"type\":\"DEPOSIT\",\"amount\":" + DEPOSIT + ",\"currency\":\"EUR\",\"destinationAccountId\":\""
								+ account + "\"}",
						201);
				accounts.add(account);
				expected.put(account, DEPOSIT);
			}
			return new Bank(token, accounts, expected);
		}

		/**
		 * Through the gateway: two clients reading balances (10/s each), one posting keyed transfers (5/s) that move
		 * the expected balances when acknowledged; returned once it has sent 60 requests.
		 */
		Load load() {
			Load load = new Load();
			for (int i = 0; i < 2; i++) {
				load.reader(() -> api("/v1/accounts/" + pick(this.accounts) + "/balance", this.token).GET(), 10);
			}
			load.keyedWriter(this::transfer, this.token, 5);
			load.awaitRequests(60);
			return load;
		}

		/** A transfer between two of the accounts; the expected balances move when it is acknowledged. */
		Transfer transfer() {
			String from = pick(this.accounts);
			String to = this.accounts.stream().filter((account) -> !account.equals(from)).toList().get(
					ThreadLocalRandom.current().nextInt(this.accounts.size() - 1));
			long amount = 1 + ThreadLocalRandom.current().nextInt(100);
			return new Transfer("{\"type\":\"TRANSFER\",\"amount\":" + amount
					+ ",\"currency\":\"EUR\",\"sourceAccountId\":\"" + from + "\",\"destinationAccountId\":\"" + to + "\"}",
					() -> {
						this.expected.merge(from, -amount, Long::sum);
						this.expected.merge(to, amount, Long::sum);
					});
		}

		/** Every acknowledged transfer posted once, none lost: each balance is what they make it. */
		void assertBalancesMatchTheAcknowledgedTransfers() {
			for (String account : this.accounts) {
				Polling.until(Duration.ofSeconds(10), "the balance of " + account + " to match the transfers",
						() -> balanceOf(this.token, account) == this.expected.get(account));
			}
		}

	}

	private static long balanceOf(String token, String account) {
		try {
			return balance(token, account);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pick(List<String> values) {
		return values.get(ThreadLocalRandom.current().nextInt(values.size()));
	}

	record Transfer(String body, Runnable acknowledged) {
	}

	/**
	 * Steady load through the gateway from a few client threads, each at a fixed pace: every answer and its latency
	 * is recorded, and any answer but a 2xx (or a transport error) is a failure, unless a keyed writer retries it
	 * as a client may (same key, after Retry-After).
	 */
	static final class Load implements AutoCloseable {

		private final List<Thread> threads = new ArrayList<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicInteger requests = new AtomicInteger();

		private final AtomicInteger writes = new AtomicInteger();

		private final AtomicInteger clientRetries = new AtomicInteger();

		private final AtomicInteger unfinishedWrites = new AtomicInteger();

		private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

		private final ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();

		/** Every request: when it started (System.nanoTime), how long it took, whether it failed. */
		private final ConcurrentLinkedQueue<long[]> outcomes = new ConcurrentLinkedQueue<>();

		/** When each 409 idempotency-key-in-use answer's request started: a key still held, retried, not a failure. */
		private final ConcurrentLinkedQueue<Long> keyInUse = new ConcurrentLinkedQueue<>();

		/** A thread sending {@code request} {@code perSecond} times a second; every answer must be a 2xx. */
		void reader(Supplier<HttpRequest.Builder> request, int perSecond) {
			start(() -> {
				HttpResponse<String> response = timed(request.get());
				if (response == null || response.statusCode() / 100 != 2) {
					this.failures.add(describe(response));
				}
			}, perSecond);
		}

		/** A thread posting transfers with a key each; a 5xx or a broken connection is retried with the same key. */
		void keyedWriter(Supplier<Transfer> transfers, String token, int perSecond) {
			start(() -> {
				Transfer transfer = transfers.get();
				String key = UUID.randomUUID().toString();
				this.writes.incrementAndGet();
				long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
				for (int attempt = 0;; attempt++) {
					HttpResponse<String> response = timed(api("/v1/transactions", token)
						.header("Content-Type", "application/json")
						.header("Idempotency-Key", key)
						.POST(HttpRequest.BodyPublishers.ofString(transfer.body())));
					if (response != null && response.statusCode() == 201) {
						transfer.acknowledged().run();
						return;
					}
					// 409 idempotency-key-in-use: an earlier attempt with this key is still running (or its instance was
					// cut off holding it: PostgreSQL ends that transaction within 30 s); retry after Retry-After
					if (response != null && response.statusCode() / 100 == 4 && !isKeyInUse(response)) {
						this.failures.add(describe(response));
						return;
					}
					if (System.nanoTime() > deadline) {
						this.unfinishedWrites.incrementAndGet();
						return;
					}
					this.clientRetries.incrementAndGet();
					long retryAfter = (response == null) ? 1
							: response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L);
					LockSupport.parkNanos(Duration.ofSeconds(retryAfter).toNanos());
				}
			}, perSecond);
		}

		private void start(Runnable step, int perSecond) {
			long pace = Duration.ofSeconds(1).toNanos() / perSecond;
			Thread thread = new Thread(() -> {
				long next = System.nanoTime();
				while (this.running.get()) {
					step.run();
					next += pace;
					long wait = next - System.nanoTime();
					if (wait > 0) {
						LockSupport.parkNanos(wait);
					}
					else {
						next = System.nanoTime();
					}
				}
			}, "drill-load-" + this.threads.size());
			thread.setDaemon(true);
			thread.start();
			this.threads.add(thread);
		}

		private HttpResponse<String> timed(HttpRequest.Builder request) {
			long start = System.nanoTime();
			HttpResponse<String> response = null;
			try {
				response = send(request);
				return response;
			}
			catch (Exception ex) {
				this.failures.add(ex.toString());
				return null;
			}
			finally {
				long took = System.nanoTime() - start;
				this.requests.incrementAndGet();
				this.latenciesMicros.add(took / 1000);
				// a key in use is the answer a keyed writer waits out by design (keyedWriter): it counts as such, not
				// as a failure. A transfer in flight on an instance cut off at that moment keeps its key until
				// PostgreSQL ends the orphaned transaction (idle_in_transaction_session_timeout, 30 s); counted as
				// failures, those answers made a partition drill "fail for 30 s" whenever a cut caught a transfer
				boolean keyHeld = isKeyInUse(response);
				if (keyHeld) {
					this.keyInUse.add(start);
				}
				boolean failed = response == null || (response.statusCode() / 100 != 2 && !keyHeld);
				this.outcomes.add(new long[] { start, took, failed ? 1 : 0 });
			}
		}

		/**
		 * From {@code since} to the start of the last request that failed, or took {@code slow} or longer when
		 * given (zero when none did): how long a fault kept affecting clients.
		 */
		Duration lastAffectedStartedAfter(long since, Duration slow) {
			long last = since;
			for (long[] outcome : this.outcomes) {
				if (outcome[0] >= since && (outcome[2] == 1 || (slow != null && outcome[1] >= slow.toNanos()))) {
					last = Math.max(last, outcome[0]);
				}
			}
			return Duration.ofNanos(last - since);
		}

		private static boolean isKeyInUse(HttpResponse<String> response) {
			return response != null && response.statusCode() == 409 && response.body().contains("idempotency-key-in-use");
		}

		/** From {@code since} to the start of the last request answered "key in use" (zero when none was). */
		Duration lastKeyInUseStartedAfter(long since) {
			long last = this.keyInUse.stream().mapToLong(Long::longValue).filter((start) -> start >= since).max().orElse(since);
			return Duration.ofNanos(last - since);
		}

		private static String describe(HttpResponse<String> response) {
			if (response == null) {
				return "no answer";
			}
			String body = response.body();
			return response.statusCode() + " " + response.request().method() + " " + response.request().uri().getPath()
					+ ": " + body.substring(0, Math.min(200, body.length()));
		}

		void awaitRequests(int count) {
			int start = this.requests.get();
			Polling.until(Duration.ofSeconds(60), count + " requests of load",
					() -> this.requests.get() - start >= count);
		}

		int requests() {
			return this.requests.get();
		}

		List<String> failures() {
			return List.copyOf(this.failures);
		}

		int unfinishedWrites() {
			return this.unfinishedWrites.get();
		}

		void stop() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join(90_000);
			}
		}

		String verdict() {
			List<Long> latencies = new ArrayList<>(this.latenciesMicros);
			Collections.sort(latencies);
			long p99 = latencies.isEmpty() ? 0 : latencies.get((int) Math.min(latencies.size() - 1, latencies.size() * 0.99));
			return this.requests.get() + " requests sent, " + this.failures.size() + " failed, p99 " + p99 / 1000
					+ " ms, max " + (latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1) / 1000) + " ms"
					+ ((this.writes.get() > 0) ? "; " + this.writes.get() + " keyed transfers, " + this.unfinishedWrites.get()
							+ " never acknowledged, " + this.clientRetries.get() + " client retries" : "");
		}

		@Override
		public void close() throws InterruptedException {
			stop();
		}

	}

}
