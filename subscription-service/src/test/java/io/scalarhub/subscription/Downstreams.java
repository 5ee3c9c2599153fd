package io.scalarhub.subscription;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
import io.scalarhub.test.StubService.Response;
import io.scalarhub.test.TestJwtIssuer;

/**
 * The services subscription-service depends on, as real HTTP services on loopback answering their internal
 * contracts: customer-service, product-service, account-service, the auth-server's token endpoint, and a
 * ledger that enforces what the real one does for charges — one charge id posts at most once (asking again
 * answers the posted charge), balances never go negative (422 insufficient-funds). The ledger records every
 * charge it posted, so tests check money, not counters.
 */
final class Downstreams implements AutoCloseable {

	final TestJwtIssuer issuer = new TestJwtIssuer();

	final StubService customers = new StubService();

	final StubService products = new StubService();

	final StubService accounts = new StubService();

	final StubService ledger = new StubService();

	final StubService auth = new StubService();

	final Map<String, String> customerStatus = new ConcurrentHashMap<>();

	/** product id -> [amount, currency, interval, active] */
	final Map<String, String[]> productRecords = new ConcurrentHashMap<>();

	/** account id -> [customerId, currency, status] */
	final Map<String, String[]> accountRecords = new ConcurrentHashMap<>();

	/** The ledger: balances by account, and the charges posted by charge id (each posted once by construction). */
	final Map<String, AtomicLong> balances = new ConcurrentHashMap<>();

	final Map<String, String> postedCharges = new ConcurrentHashMap<>();

	/** How often each charge id was asked for (retries and replays included). */
	final Map<String, AtomicInteger> chargeRequests = new ConcurrentHashMap<>();

	/** The next this many charge answers are lost (500) after the charge was posted: a failure after the effect. */
	final AtomicInteger answersToLose = new AtomicInteger();

	/** Each charge takes this long (ms): makes a billing run long enough to kill mid-way. */
	volatile long chargeDelayMillis;

	Downstreams() {
		this.customers.on("GET", "/internal/customers/([^/]+)", (request) -> {
			String status = this.customerStatus.get(request.pathGroups()[0]);
			return (status == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + request.pathGroups()[0] + "\",\"status\":\"" + status + "\"}");
		});
		this.products.on("GET", "/internal/products/([^/]+)", (request) -> {
			String[] p = this.productRecords.get(request.pathGroups()[0]);
			// the public product representation, with fields subscription-service does not need
			return (p == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + request.pathGroups()[0] + "\",\"sku\":\"SKU-" + request.pathGroups()[0]
							+ "\",\"name\":\"Plan\",\"description\":null,\"price\":{\"amount\":" + p[0]
							+ ",\"currency\":\"" + p[1] + "\"},\"interval\":\"" + p[2] + "\",\"active\":" + p[3]
							+ ",\"createdAt\":\"2026-11-22T10:00:00Z\",\"updatedAt\":\"2026-11-22T10:00:00Z\"}");
		});
		this.accounts.on("GET", "/internal/accounts/([^/]+)", (request) -> {
			String[] a = this.accountRecords.get(request.pathGroups()[0]);
			return (a == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + request.pathGroups()[0] + "\",\"customerId\":\"" + a[0]
							+ "\",\"currency\":\"" + a[1] + "\",\"status\":\"" + a[2] + "\"}");
		});
		this.auth.on("POST", "/oauth2/token", (request) -> Response.ok("{\"access_token\":\""
				+ this.issuer.token("subscription-service", "internal") + "\",\"token_type\":\"Bearer\",\"expires_in\":300}"));
		this.ledger.on("PUT", "/internal/ledger/charges/([^/]+)", (request) -> charge(request.pathGroups()[0], request.body()));
	}

	private Response charge(String chargeId, String body) {
		this.chargeRequests.computeIfAbsent(chargeId, (id) -> new AtomicInteger()).incrementAndGet();
		long delay = this.chargeDelayMillis;
		if (delay > 0) {
			try {
				Thread.sleep(delay);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		String account = field(body, "accountId");
		long amount = Long.parseLong(number(body, "amount"));
		String currency = field(body, "currency");
		int status;
		synchronized (this) {
			String existing = this.postedCharges.get(chargeId);
			if (existing != null) {
				if (!existing.equals(account + "/" + amount + "/" + currency)) {
					return problem(409, "account-state-conflict");
				}
				status = 200;
			}
			else {
				AtomicLong balance = this.balances.computeIfAbsent(account, (a) -> new AtomicLong());
				if (balance.get() < amount) {
					return problem(422, "insufficient-funds");
				}
				balance.addAndGet(-amount);
				this.postedCharges.put(chargeId, account + "/" + amount + "/" + currency);
				status = 201;
			}
		}
		if (this.answersToLose.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
			return new Response(500, "{\"status\":500}");
		}
		return new Response(status, "{\"id\":\"" + chargeId + "\",\"type\":\"WITHDRAWAL\",\"status\":\"POSTED\",\"amount\":"
				+ amount + ",\"currency\":\"" + currency + "\",\"sourceAccountId\":\"" + account
				+ "\",\"destinationAccountId\":null,\"description\":null,\"createdAt\":\"2026-11-22T10:00:00Z\"}");
	}

	private static Response problem(int status, String type) {
		return new Response(status, "{\"type\":\"https://scalarhub.io/problems/" + type + "\",\"title\":\"" + type
				+ "\",\"status\":" + status + ",\"detail\":\"" + type + "\"}");
	}

	/** Points a service under test at these services. */
	void register(BiConsumer<String, String> registry) {
		registry.accept("customer-service", this.customers.url());
		registry.accept("product-service", this.products.url());
		registry.accept("account-service", this.accounts.url());
		registry.accept("transaction-service", this.ledger.url());
	}

	Map<String, Object> properties() {
		Map<String, Object> properties = new HashMap<>();
		register((service, url) -> ServiceTestProperties.registerDownstream((name, value) -> properties.put(name, value.get()),
				service, url));
		properties.put("scalarhub.service-identity.token-uri", this.auth.url() + "/oauth2/token");
		properties.put("scalarhub.service-identity.client-secret", "test-secret");
		return properties;
	}

	String customer(String status) {
		String id = UUID.randomUUID().toString();
		this.customerStatus.put(id, status);
		return id;
	}

	String product(long amount, String currency, String interval, boolean active) {
		String id = UUID.randomUUID().toString();
		this.productRecords.put(id, new String[] { Long.toString(amount), currency, interval, Boolean.toString(active) });
		return id;
	}

	String account(String customerId, String currency, String status, long balance) {
		String id = UUID.randomUUID().toString();
		this.accountRecords.put(id, new String[] { customerId, currency, status });
		this.balances.put(id, new AtomicLong(balance));
		return id;
	}

	long balance(String account) {
		return this.balances.get(account).get();
	}

	void recoverAll() {
		this.customers.recover();
		this.products.recover();
		this.accounts.recover();
		this.ledger.recover();
		this.auth.recover();
		this.answersToLose.set(0);
		this.chargeDelayMillis = 0;
	}

	static String field(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
		return matcher.find() ? matcher.group(1) : null;
	}

	static String number(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
		return matcher.find() ? matcher.group(1) : null;
	}

	@Override
	public void close() {
		this.issuer.close();
		this.customers.close();
		this.products.close();
		this.accounts.close();
		this.ledger.close();
		this.auth.close();
	}

}
