package io.scalarhub.subscription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
import io.scalarhub.test.StubService.Response;
import io.scalarhub.test.TestJwtIssuer;

import static io.scalarhub.test.ServiceCalls.internalRoute;

/**
 * The services subscription-service depends on, as real HTTP services on loopback answering their internal
 * contracts: customer-service, product-service, account-service, and a ledger that enforces what the real one does for charges — one charge id posts at most once (asking again
 * answers the posted charge), balances never go negative (422 insufficient-funds). The ledger records every
 * charge it posted, so tests check money, not counters.
 * <p>
 * Like the real services, their internal API answers a platform service's own token only (scope
 * {@code internal}, no tenant claim; the test issuer's token endpoint issues subscription-service such a
 * token, as auth-server does), and only for the tenant that call names in {@code X-Scalarhub-Tenant}: an API
 * client's token relayed is 403, as is a service token naming no tenant ({@link ServiceCalls}). Another tenant's customer, product
 * or account is not found (404; a charge to its account is 422 account-not-found), so a call that lost its
 * tenant on the way fails the test. Objects belong to {@link TestJwtIssuer#TENANT_A} unless created for
 * another.
 */
final class Downstreams implements AutoCloseable {

	static final String TENANT_HEADER = "X-Scalarhub-Tenant";

	final TestJwtIssuer issuer = new TestJwtIssuer();

	final StubService customers = new StubService();

	final StubService products = new StubService();

	final StubService accounts = new StubService();

	final StubService ledger = new StubService();


	/** customer, product or account id -> the tenant it belongs to */
	final Map<String, String> owners = new ConcurrentHashMap<>();

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
		this.customers.on("GET", "/internal/customers/([^/]+)", internalRoute((request) -> {
			String id = request.pathGroups()[0];
			String status = visible(request, id) ? this.customerStatus.get(id) : null;
			return (status == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}");
		}));
		this.products.on("GET", "/internal/products/([^/]+)", internalRoute((request) -> {
			String id = request.pathGroups()[0];
			String[] p = visible(request, id) ? this.productRecords.get(id) : null;
			// the public product representation, with fields subscription-service does not need
			return (p == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + id + "\",\"sku\":\"SKU-" + id
							+ "\",\"name\":\"Plan\",\"description\":null,\"price\":{\"amount\":" + p[0]
							+ ",\"currency\":\"" + p[1] + "\"},\"interval\":\"" + p[2] + "\",\"active\":" + p[3]
							+ ",\"createdAt\":\"2026-11-22T10:00:00Z\",\"updatedAt\":\"2026-11-22T10:00:00Z\"}");
		}));
		this.accounts.on("GET", "/internal/accounts/([^/]+)", internalRoute((request) -> {
			String id = request.pathGroups()[0];
			String[] a = visible(request, id) ? this.accountRecords.get(id) : null;
			return (a == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + id + "\",\"customerId\":\"" + a[0] + "\",\"currency\":\"" + a[1]
							+ "\",\"status\":\"" + a[2] + "\"}");
		}));
		this.ledger.on("PUT", "/internal/ledger/charges/([^/]+)", internalRoute(this::charge));
	}

	/**
	 * The tenant a call is for, as the real services work it out on their internal API: only a platform
	 * service's own token (scope internal, no tenant claim) gets there, and it acts for the tenant in the
	 * header; anything else is refused before (see {@link ServiceCalls#internalRoute}).
	 */
	static String tenantOf(StubService.Request request) {
		return ServiceCalls.admitted(request) ? request.tenant() : null;
	}

	private boolean visible(StubService.Request request, String id) {
		String tenant = tenantOf(request);
		return tenant != null && tenant.equals(this.owners.get(id));
	}

	private Response charge(StubService.Request request) {
		String chargeId = request.pathGroups()[0];
		String body = request.body();
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
		if (!visible(request, account)) {
			return problem(422, "account-not-found");
		}
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
		return properties;
	}

	String customer(String status) {
		return customer(TestJwtIssuer.TENANT_A, status);
	}

	String customer(UUID tenant, String status) {
		String id = owned(tenant);
		this.customerStatus.put(id, status);
		return id;
	}

	String product(long amount, String currency, String interval, boolean active) {
		return product(TestJwtIssuer.TENANT_A, amount, currency, interval, active);
	}

	String product(UUID tenant, long amount, String currency, String interval, boolean active) {
		String id = owned(tenant);
		this.productRecords.put(id, new String[] { Long.toString(amount), currency, interval, Boolean.toString(active) });
		return id;
	}

	/** An account of the customer's tenant. */
	String account(String customerId, String currency, String status, long balance) {
		return account(UUID.fromString(this.owners.getOrDefault(customerId, TestJwtIssuer.TENANT_A.toString())), customerId,
				currency, status, balance);
	}

	String account(UUID tenant, String customerId, String currency, String status, long balance) {
		String id = owned(tenant);
		this.accountRecords.put(id, new String[] { customerId, currency, status });
		this.balances.put(id, new AtomicLong(balance));
		return id;
	}

	private String owned(UUID tenant) {
		String id = UUID.randomUUID().toString();
		this.owners.put(id, tenant.toString());
		return id;
	}

	/** The services whose internal API subscription-service calls. */
	List<StubService> internalApis() {
		return List.of(this.customers, this.products, this.accounts, this.ledger);
	}

	/** How many calls each of {@link #internalApis()} has received so far: a mark for {@link #callsSince}. */
	List<Integer> mark() {
		return internalApis().stream().map((service) -> service.received().size()).toList();
	}

	/** Every call {@link #internalApis()} received since {@code mark}. */
	List<StubService.Request> callsSince(List<Integer> mark) {
		List<StubService.Request> calls = new ArrayList<>();
		List<StubService> services = internalApis();
		for (int i = 0; i < services.size(); i++) {
			List<StubService.Request> received = services.get(i).received();
			calls.addAll(received.subList(mark.get(i), received.size()));
		}
		return calls;
	}

	/** The charge requests the ledger received, every retry and replay included, in order. */
	List<StubService.Request> chargeCalls() {
		return this.ledger.received();
	}

	long balance(String account) {
		return this.balances.get(account).get();
	}

	void recoverAll() {
		this.customers.recover();
		this.products.recover();
		this.accounts.recover();
		this.ledger.recover();
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
	}

}
