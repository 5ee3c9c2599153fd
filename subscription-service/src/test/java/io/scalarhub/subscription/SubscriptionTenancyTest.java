package io.scalarhub.subscription;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.scalarhub.subscription.domain.ChargeKeys;
import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
import io.scalarhub.test.TenantIsolation;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant isolation in subscription-service: a client of tenant B never sees, lists or cancels tenant A's
 * subscriptions, nor reads A's billing runs (404); it cannot subscribe with A's customer, product or account
 * (422, as for ones that do not exist: the downstreams answer for the tenant each call names, so this also
 * proves the tenant travels with every internal call); idempotency keys are per tenant; and a billing run
 * renews and charges its own tenant's subscriptions only, its charges made for that tenant. The workers'
 * system scope sees open runs and nothing else. The internal API is a platform service's alone (an API
 * client's token there is 403, whatever its scopes or tenant), and subscription-service itself calls the
 * others with its own token, never the client's. Against the real database, with row-level security enforced.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.billing.test-clocks-enabled=true", "scalarhub.billing.poll-interval=100ms",
				"scalarhub.billing.lease-duration=3s", "scalarhub.billing.heartbeat-interval=500ms",
				"scalarhub.billing.retry-backoff=100ms", "scalarhub.billing.max-attempts=3" })
class SubscriptionTenancyTest {

	static final String[] SCOPES = { "subscriptions:read", "subscriptions:write", "billing:run" };

	static final Downstreams downstreams = new Downstreams();

	static final TestPostgres.Database database = TestPostgres.createDatabase("subscription_tenancy");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, downstreams.issuer);
		downstreams.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@AfterAll
	static void stop() {
		downstreams.close();
	}

	@LocalServerPort
	int port;

	WebTestClient tenantA;

	WebTestClient tenantB;

	/** What the downstreams had received when the test began. */
	List<Integer> callsBefore;

	@BeforeEach
	void clients() {
		this.callsBefore = downstreams.mark();
		this.tenantA = client(downstreams.issuer.tokenForTenant(TestJwtIssuer.TENANT_A, "client-a", SCOPES));
		this.tenantB = client(downstreams.issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "client-b", SCOPES));
	}

	/**
	 * Every call subscription-service made downstream in the test was made with its own token (scope internal,
	 * no tenant claim: the API client's token is never relayed) and named in {@code X-Scalarhub-Tenant} the
	 * tenant it was made for.
	 */
	@AfterEach
	void everyDownstreamCallWasTheServicesOwnAndNamedItsTenant() {
		ServiceCalls.assertServiceCallsFor(downstreams.callsSince(this.callsBefore), null);
	}

	WebTestClient client(String token) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.build();
	}

	/** A customer of {@code tenant}, a monthly 1000 EUR product and the customer's open EUR account. */
	record World(UUID tenant, String customer, String product, String account) {
	}

	static World world(UUID tenant, long balance) {
		String customer = downstreams.customer(tenant, "ACTIVE");
		return new World(tenant, customer, downstreams.product(tenant, 1000, "EUR", "MONTH", true),
				downstreams.account(tenant, customer, "EUR", "OPEN", balance));
	}

	static WebTestClient.ResponseSpec subscribe(WebTestClient client, String key, String customer, String product,
			String account) {
		return client.post().uri("/v1/subscriptions").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", key)
			.bodyValue("{\"customerId\":\"" + customer + "\",\"productId\":\"" + product + "\",\"accountId\":\"" + account
					+ "\"}")
			.exchange();
	}

	static String subscribe(WebTestClient client, String key, World world) {
		return subscribe(client, key, world.customer(), world.product(), world.account()).expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/subscriptions/", "");
	}

	static String subscribe(WebTestClient client, World world) {
		return subscribe(client, UUID.randomUUID().toString(), world);
	}

	static Map<?, ?> get(WebTestClient client, String uri, Object... variables) {
		return client.get().uri(uri, variables).exchange().expectStatus().isOk().expectBody(Map.class).returnResult()
			.getResponseBody();
	}

	static String startRun(WebTestClient client, Instant asOf) {
		return client.post().uri("/v1/billing-runs").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.bodyValue((asOf != null) ? "{\"asOf\":\"" + asOf + "\"}" : "{}")
			.exchange()
			.expectStatus().isAccepted()
			.returnResult(String.class).getResponseHeaders().getLocation().getPath();
	}

	static Map<?, ?> awaitRun(WebTestClient client, String location) {
		Polling.until(Duration.ofSeconds(60), "billing run " + location + " to end", () -> {
			Object status = get(client, location).get("status");
			return "COMPLETED".equals(status) || "FAILED".equals(status);
		});
		return get(client, location);
	}

	@Test
	void anotherTenantsSubscriptionIsNotFoundForEveryOperationAndStaysUnchanged() {
		World a = world(TestJwtIssuer.TENANT_A, 5000);
		String id = subscribe(this.tenantA, a);

		this.tenantB.get().uri("/v1/subscriptions/{id}", id).exchange().expectStatus().isNotFound()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
		this.tenantB.post().uri("/v1/subscriptions/{id}/cancel", id).exchange().expectStatus().isNotFound();
		this.tenantB.post().uri("/v1/subscriptions/{id}/cancel", id).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"atPeriodEnd\":true}").exchange().expectStatus().isNotFound();
		this.tenantB.get().uri("/v1/subscriptions?customerId={c}", a.customer()).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.content").isEmpty().jsonPath("$.page.totalElements").isEqualTo(0);
		this.tenantB.get().uri("/v1/subscriptions?size=100").exchange().expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(id));

		// customer-service's question before closing a customer is answered for the tenant it names; an API
		// client cannot ask it at all, whatever tenant it is for
		this.tenantB.get().uri("/internal/subscriptions/active?customerId={c}", a.customer()).exchange()
			.expectStatus().isForbidden();
		this.tenantA.get().uri("/internal/subscriptions/active?customerId={c}", a.customer()).exchange()
			.expectStatus().isForbidden();
		WebTestClient service = client(downstreams.issuer.serviceToken("customer-service"));
		service.get().uri("/internal/subscriptions/active?customerId={c}", a.customer())
			.header(Downstreams.TENANT_HEADER, TestJwtIssuer.TENANT_B.toString()).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(0);
		service.get().uri("/internal/subscriptions/active?customerId={c}", a.customer())
			.header(Downstreams.TENANT_HEADER, TestJwtIssuer.TENANT_A.toString()).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1);

		this.tenantA.get().uri("/v1/subscriptions/{id}", id).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("ACTIVE").jsonPath("$.cancelAtPeriodEnd").isEqualTo(false);
		assertThat(downstreams.balance(a.account())).isEqualTo(4000);
	}

	void expect422(WebTestClient client, String customer, String product, String account, String type) {
		subscribe(client, UUID.randomUUID().toString(), customer, product, account).expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/" + type);
	}

	@Test
	void subscribingWithAnotherTenantsCustomerProductOrAccountIs422AndChargesNothing() {
		World a = world(TestJwtIssuer.TENANT_A, 5000);
		World b = world(TestJwtIssuer.TENANT_B, 5000);

		expect422(this.tenantB, a.customer(), b.product(), b.account(), "customer-not-found");
		expect422(this.tenantB, b.customer(), a.product(), b.account(), "product-not-found");
		expect422(this.tenantB, b.customer(), b.product(), a.account(), "account-not-found");
		expect422(this.tenantA, a.customer(), a.product(), b.account(), "account-not-found");
		assertThat(downstreams.chargeCalls()).noneMatch((call) -> call.body().contains(a.account())
				|| call.body().contains(b.account()));
		assertThat(downstreams.balance(a.account())).isEqualTo(5000);
		assertThat(downstreams.balance(b.account())).isEqualTo(5000);
		this.tenantB.get().uri("/v1/subscriptions?customerId={c}", b.customer()).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(0);

		// B's own customer, product and account, named by B: subscribed and charged
		List<Integer> beforeB = downstreams.mark();
		subscribe(this.tenantB, b);
		assertThat(downstreams.balance(b.account())).isEqualTo(4000);
		assertThat(downstreams.chargeCalls()).filteredOn((call) -> call.body().contains(b.account())).singleElement()
			.satisfies((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_B.toString()));
		// and every question B's subscription asked (customer, product, account, charge) named B, with
		// subscription-service's own token
		assertThat(downstreams.callsSince(beforeB)).hasSizeGreaterThanOrEqualTo(4)
			.allSatisfy((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_B.toString()));
	}

	@Test
	void theSameIdempotencyKeyFromTwoTenantsIsTwoRequestsEvenUnderOneClientName() {
		WebTestClient ofA = client(downstreams.issuer.tokenForTenant(TestJwtIssuer.TENANT_A, "console", SCOPES));
		WebTestClient ofB = client(downstreams.issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "console", SCOPES));
		World a = world(TestJwtIssuer.TENANT_A, 5000);
		World b = world(TestJwtIssuer.TENANT_B, 5000);
		String key = UUID.randomUUID().toString();

		String inA = subscribe(ofA, key, a);
		subscribe(ofB, key, b.customer(), b.product(), b.account()).expectStatus().isCreated()
			.expectHeader().doesNotExist("Idempotent-Replayed")
			.expectBody().jsonPath("$.customerId").isEqualTo(b.customer()).jsonPath("$.id")
			.value((String inB) -> assertThat(inB).isNotEqualTo(inA));
		subscribe(ofA, key, a.customer(), a.product(), a.account()).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true")
			.expectHeader().valueEquals(HttpHeaders.LOCATION, "/v1/subscriptions/" + inA);
		assertThat(downstreams.balance(a.account())).isEqualTo(4000);
		assertThat(downstreams.balance(b.account())).isEqualTo(4000);

		String runKey = UUID.randomUUID().toString();
		String runOfA = ofA.post().uri("/v1/billing-runs").header("Idempotency-Key", runKey).exchange()
			.expectStatus().isAccepted().returnResult(String.class).getResponseHeaders().getLocation().getPath();
		String runOfB = ofB.post().uri("/v1/billing-runs").header("Idempotency-Key", runKey).exchange()
			.expectStatus().isAccepted()
			.expectHeader().doesNotExist("Idempotent-Replayed")
			.returnResult(String.class).getResponseHeaders().getLocation().getPath();
		assertThat(runOfB).isNotEqualTo(runOfA);
		ofA.post().uri("/v1/billing-runs").header("Idempotency-Key", runKey).exchange()
			.expectStatus().isAccepted()
			.expectHeader().valueEquals("Idempotent-Replayed", "true")
			.expectHeader().valueEquals(HttpHeaders.LOCATION, runOfA);
		awaitRun(ofA, runOfA);
		awaitRun(ofB, runOfB);
	}

	@Test
	void aBillingRunRenewsAndChargesOnlyItsOwnTenantsSubscriptions() {
		World a = world(TestJwtIssuer.TENANT_A, 5000);
		World b = world(TestJwtIssuer.TENANT_B, 5000);
		String ofA = subscribe(this.tenantA, a);
		String ofB = subscribe(this.tenantB, b);
		Object periodOfB = get(this.tenantB, "/v1/subscriptions/{id}", ofB).get("currentPeriodStart");
		Instant asOf = Instant.now().plus(Duration.ofDays(40));
		int chargesBefore = downstreams.chargeCalls().size();

		String runOfA = startRun(this.tenantA, asOf);
		this.tenantB.get().uri(runOfA).exchange().expectStatus().isNotFound();
		Map<?, ?> done = awaitRun(this.tenantA, runOfA);
		assertThat(done.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) done.get("failed")).longValue()).isZero();

		// A's subscription is renewed: period 2 charged
		assertThat(downstreams.postedCharges).containsKey(ChargeKeys.charge(UUID.fromString(ofA), 2).toString());
		assertThat(downstreams.balance(a.account())).isEqualTo(3000);
		// B's, due as well, is untouched: never asked of the ledger, its period where it was
		assertThat(downstreams.chargeRequests).doesNotContainKey(ChargeKeys.charge(UUID.fromString(ofB), 2).toString());
		assertThat(downstreams.balance(b.account())).isEqualTo(4000);
		Map<?, ?> stillOfB = get(this.tenantB, "/v1/subscriptions/{id}", ofB);
		assertThat(stillOfB.get("status")).isEqualTo("ACTIVE");
		assertThat(stillOfB.get("currentPeriodStart")).isEqualTo(periodOfB);
		// every charge of A's run was made by the service's own token for tenant A
		List<StubService.Request> calls = downstreams.chargeCalls();
		List<StubService.Request> chargesOfA = calls.subList(chargesBefore, calls.size());
		assertThat(chargesOfA).isNotEmpty()
			.allSatisfy((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_A.toString()));

		// B's own run renews B's, for tenant B
		int chargesOfBBefore = downstreams.chargeCalls().size();
		Map<?, ?> doneOfB = awaitRun(this.tenantB, startRun(this.tenantB, asOf));
		assertThat(doneOfB.get("status")).isEqualTo("COMPLETED");
		assertThat(downstreams.postedCharges).containsKey(ChargeKeys.charge(UUID.fromString(ofB), 2).toString());
		assertThat(downstreams.balance(b.account())).isEqualTo(3000);
		assertThat(downstreams.balance(a.account())).isEqualTo(3000);
		assertThat(downstreams.chargeCalls().subList(chargesOfBBefore, downstreams.chargeCalls().size())).isNotEmpty()
			.allSatisfy((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_B.toString()));
	}

	@Test
	void theWorkersSystemScopeSeesOpenRunsOnlyAndCanOnlyClaimThem() throws SQLException {
		World a = world(TestJwtIssuer.TENANT_A, 5000);
		subscribe(this.tenantA, a);
		String run = startRun(this.tenantA, null);
		awaitRun(this.tenantA, run);
		String runId = run.replace("/v1/billing-runs/", "");
		try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.username(),
				database.password()); Statement statement = connection.createStatement()) {
			statement.execute("SELECT set_config('scalarhub.tenant_id', 'system', false)");
			assertThat(count(statement, "SELECT count(*) FROM billing_run WHERE status NOT IN ('PENDING', 'RUNNING')"))
				.isZero();
			assertThat(count(statement, "SELECT count(*) FROM subscription")).isZero();
			assertThat(count(statement, "SELECT count(*) FROM billing_run_item")).isZero();
			assertThat(statement.executeUpdate("UPDATE billing_run SET status = 'PENDING' WHERE id = '" + runId + "'"))
				.isZero();
			assertThat(statement.executeUpdate("DELETE FROM billing_run")).isZero();
			assertThat(statement.executeUpdate("UPDATE subscription SET status = 'CANCELED'")).isZero();
			assertThatThrownBy(() -> statement.executeUpdate("INSERT INTO billing_run (id, tenant_id, status, as_of, "
					+ "created_at) VALUES ('" + UUID.randomUUID() + "', '" + TestJwtIssuer.TENANT_A
					+ "', 'PENDING', now(), now())")).isInstanceOf(SQLException.class).hasMessageContaining("row-level security");

			// the tenant's own scope sees its run, its subscriptions and the run's items
			statement.execute("SELECT set_config('scalarhub.tenant_id', '" + TestJwtIssuer.TENANT_A + "', false)");
			assertThat(count(statement, "SELECT count(*) FROM billing_run WHERE id = '" + runId + "'")).isOne();
			assertThat(count(statement, "SELECT count(*) FROM subscription")).isPositive();
			assertThat(count(statement, "SELECT count(*) FROM billing_run WHERE status = 'COMPLETED'")).isPositive();
		}
	}

	static long count(Statement statement, String sql) throws SQLException {
		try (ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	/** Every scope an API client can be granted, on any service of the platform: none is {@code internal}. */
	static final String[] ALL_API_SCOPES = { "customers:read", "customers:write", "accounts:read", "accounts:write",
			"products:read", "products:write", "subscriptions:read", "subscriptions:write", "billing:run",
			"transactions:read", "transactions:write" };

	/** Every route of InternalSubscriptionController, for a customer of tenant A. */
	static List<String> internalRoutes(String customerOfA) {
		return List.of("/internal/subscriptions/active?customerId=" + customerOfA);
	}

	@Test
	void theInternalApiIsForPlatformServicesOnlyNeverForAnApiClient() {
		World a = world(TestJwtIssuer.TENANT_A, 5000);
		subscribe(this.tenantA, a);
		Map<String, String> apiClients = new LinkedHashMap<>();
		for (UUID tenant : List.of(TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B)) {
			apiClients.put("read-only client of " + tenant,
					downstreams.issuer.tokenForTenant(tenant, "reader", "subscriptions:read"));
			apiClients.put("all-scopes client of " + tenant, downstreams.issuer.tokenForTenant(tenant, "admin", ALL_API_SCOPES));
		}
		WebTestClient service = client(downstreams.issuer.serviceToken("customer-service"));

		for (String route : internalRoutes(a.customer())) {
			apiClients.forEach((name, token) -> {
				client(token).get().uri(route).exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
				// naming a tenant in the header, as a platform service does, changes nothing for an API client
				client(token).get().uri(route).header(Downstreams.TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
					.exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
			});
			service.get().uri(route).header(Downstreams.TENANT_HEADER, TestJwtIssuer.TENANT_A.toString()).exchange()
				.expectStatus().is2xxSuccessful();
			service.get().uri(route).exchange()
				.expectStatus().isForbidden()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		}
	}

	@Test
	void everyTableIsScopedByPostgresItself() {
		assertThat(TenantIsolation.assertEveryTableIsTenantScoped(database)).contains("subscription", "billing_run",
				"billing_run_item", "idempotency_key");
	}

}
