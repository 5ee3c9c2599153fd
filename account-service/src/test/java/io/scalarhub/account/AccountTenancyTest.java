package io.scalarhub.account;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
import io.scalarhub.test.StubService.Response;
import io.scalarhub.test.TenantIsolation;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import static io.scalarhub.test.ServiceCalls.internalRoute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenant isolation in account-service: a client of tenant B never reads, lists, freezes, unfreezes or closes
 * tenant A's accounts (404, as if they did not exist) and they stay as they were; an account can only be
 * opened for a customer of the caller's tenant; idempotency keys are per tenant; and a platform service sees
 * only the accounts of the tenant it names, while an API client's token never opens the internal API. Against
 * the real database, with row-level security enforced, and against customer-service and the ledger as stubs
 * that keep each tenant's data apart the way the real ones do: they answer only account-service's own token
 * (scope internal, no tenant claim: the API client's token is never relayed), and only for the tenant that
 * call names in X-Scalarhub-Tenant, which proves that account-service sends it along.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AccountTenancyTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("account_tenancy");

	static final StubService customers = new StubService();

	static final StubService ledger = new StubService();

	static final String TENANT_HEADER = "X-Scalarhub-Tenant";

	static final String CONSISTENCY_HEADER = "X-Consistency-Token";

	/** customer-service's customers: id -> its tenant (all active). */
	static final Map<String, String> customerTenant = new ConcurrentHashMap<>();

	/** The ledger's accounts: id -> its tenant, currency, status and balance. */
	static final Map<String, LedgerAccount> ledgerAccounts = new ConcurrentHashMap<>();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
		ServiceTestProperties.registerDownstream(registry, "customer-service", customers.url());
		ServiceTestProperties.registerDownstream(registry, "transaction-service", ledger.url());
		customers.on("GET", "/internal/customers/([^/]+)", internalRoute((request) -> {
			String id = request.pathGroups()[0];
			return visibleTo(request, customerTenant.get(id))
					? Response.ok("{\"id\":\"" + id + "\",\"status\":\"ACTIVE\"}") : new Response(404, "{\"status\":404}");
		}));
		ledger.on("PUT", "/internal/ledger/accounts/([^/]+)", internalRoute((request) -> {
			String id = request.pathGroups()[0];
			String tenant = request.tenant();
			LedgerAccount account = ledgerAccounts.computeIfAbsent(id,
					(key) -> new LedgerAccount(tenant, field(request.body(), "currency"), "OPEN", 0));
			return account.tenant().equals(tenant) ? Response.ok(account.view(id)) : new Response(409, "{\"status\":409}");
		}));
		ledger.on("PUT", "/internal/ledger/accounts/([^/]+)/status", internalRoute((request) -> {
			String id = request.pathGroups()[0];
			LedgerAccount account = ledgerAccounts.get(id);
			if (account == null || !visibleTo(request, account.tenant())) {
				return new Response(404, "{\"status\":404}");
			}
			LedgerAccount changed = account.withStatus(field(request.body(), "status"));
			ledgerAccounts.put(id, changed);
			return Response.ok(changed.view(id));
		}));
		ledger.on("GET", "/internal/ledger/accounts/([^/]+)", internalRoute((request) -> {
			LedgerAccount account = ledgerAccounts.get(request.pathGroups()[0]);
			return (account != null && visibleTo(request, account.tenant())) ? Response.ok(account.view(request.pathGroups()[0]))
					: new Response(404, "{\"status\":404}");
		}));
		ledger.on("GET", "/internal/ledger/accounts", internalRoute((request) -> {
			StringBuilder list = new StringBuilder("[");
			for (String id : request.query().replace("ids=", "").replace("%2C", ",").split(",")) {
				LedgerAccount account = ledgerAccounts.get(id);
				if (account != null && visibleTo(request, account.tenant())) {
					list.append(list.length() > 1 ? "," : "").append(account.view(id));
				}
			}
			return Response.ok(list.append("]").toString());
		}));
	}

	/**
	 * Whether a call may see a row of {@code owner}: only when it acts for that tenant, and says so in
	 * {@code X-Scalarhub-Tenant}, which account-service's service client adds from the request's tenant, next
	 * to the service's own token (the stubs' {@link ServiceCalls#internalRoute} refuses any other call).
	 */
	static boolean visibleTo(StubService.Request request, String owner) {
		return owner != null && ServiceCalls.admitted(request) && owner.equals(request.tenant());
	}

	static String field(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
		return matcher.find() ? matcher.group(1) : null;
	}

	record LedgerAccount(String tenant, String currency, String status, long balance) {

		LedgerAccount withStatus(String newStatus) {
			return new LedgerAccount(this.tenant, this.currency, newStatus, this.balance);
		}

		LedgerAccount withBalance(long newBalance) {
			return new LedgerAccount(this.tenant, this.currency, this.status, newBalance);
		}

		String view(String id) {
			return "{\"id\":\"" + id + "\",\"currency\":\"" + this.currency + "\",\"status\":\"" + this.status
					+ "\",\"balance\":" + this.balance + ",\"updatedAt\":\"2026-11-22T10:00:00Z\"}";
		}

	}

	@AfterAll
	static void stop() {
		issuer.close();
		customers.close();
		ledger.close();
	}

	@LocalServerPort
	int port;

	/**
	 * The position of the last write any client here was answered: every request presents it, so that a 404
	 * for B means "not B's", never "not on the replica yet".
	 */
	final AtomicReference<String> lastWrite = new AtomicReference<>();

	WebTestClient tenantA;

	WebTestClient tenantB;

	/** How many calls each stub had received when the test began. */
	int customerCallsBefore;

	int ledgerCallsBefore;

	@BeforeEach
	void clients() {
		this.customerCallsBefore = customers.received().size();
		this.ledgerCallsBefore = ledger.received().size();
		this.tenantA = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_A, "client-a", "accounts:read", "accounts:write"));
		this.tenantB = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "client-b", "accounts:read", "accounts:write"));
	}

	/**
	 * Every call account-service made downstream in the test was made with its own token (scope internal, no
	 * tenant claim), never with the API client's, and named the tenant it acted for.
	 */
	@AfterEach
	void everyDownstreamCallWasTheServicesOwnAndNamedItsTenant() {
		List<StubService.Request> toCustomers = customers.received();
		List<StubService.Request> toLedger = ledger.received();
		ServiceCalls.assertServiceCallsFor(toCustomers.subList(this.customerCallsBefore, toCustomers.size()), null);
		ServiceCalls.assertServiceCallsFor(toLedger.subList(this.ledgerCallsBefore, toLedger.size()), null);
	}

	WebTestClient client(String token) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.filter(this::readingEveryWrite)
			.build();
	}

	private Mono<ClientResponse> readingEveryWrite(ClientRequest request, ExchangeFunction next) {
		String position = this.lastWrite.get();
		ClientRequest presenting = (position != null)
				? ClientRequest.from(request).header(CONSISTENCY_HEADER, position).build() : request;
		return next.exchange(presenting).doOnNext((response) -> {
			String written = response.headers().asHttpHeaders().getFirst(CONSISTENCY_HEADER);
			if (written != null) {
				this.lastWrite.set(written);
			}
		});
	}

	static String customerOf(UUID tenant) {
		String id = UUID.randomUUID().toString();
		customerTenant.put(id, tenant.toString());
		return id;
	}

	static WebTestClient.ResponseSpec open(WebTestClient client, String key, String customerId) {
		return client.post()
			.uri("/v1/accounts")
			.contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", key)
			.bodyValue("{\"customerId\":\"" + customerId + "\",\"currency\":\"EUR\",\"name\":\"Main\"}")
			.exchange();
	}

	static String createdId(WebTestClient.ResponseSpec response) {
		return response.expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/accounts/", "");
	}

	@Test
	void anotherTenantsAccountIsNotFoundForEveryOperationAndStaysUnchanged() {
		String customer = customerOf(TestJwtIssuer.TENANT_A);
		String id = createdId(open(this.tenantA, UUID.randomUUID().toString(), customer));
		ledgerAccounts.computeIfPresent(id, (key, account) -> account.withBalance(250));

		this.tenantB.get().uri("/v1/accounts/{id}", id).exchange().expectStatus().isNotFound()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
		this.tenantB.get().uri("/v1/accounts/{id}", id).header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isNotFound();
		for (String change : List.of("freeze", "unfreeze", "close")) {
			this.tenantB.post().uri("/v1/accounts/{id}/" + change, id).exchange().expectStatus().isNotFound()
				.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
		}
		this.tenantB.get().uri("/v1/accounts?customerId={customer}", customer).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.content").isEmpty().jsonPath("$.page.totalElements").isEqualTo(0);
		this.tenantB.get().uri("/v1/accounts?size=100").exchange().expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(id));
		assertThat(ledger.requests()).as("no status change reached the ledger")
			.noneMatch((request) -> request.startsWith("PUT /internal/ledger/accounts/" + id + "/status"));

		this.tenantA.get().uri("/v1/accounts/{id}", id).exchange().expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("OPEN")
			.jsonPath("$.customerId").isEqualTo(customer)
			.jsonPath("$.balance.amount").isEqualTo(250);
		this.tenantA.get().uri("/v1/accounts?customerId={customer}", customer).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(1).jsonPath("$.content[0].id").isEqualTo(id);
	}

	@Test
	void anAccountIsOpenedOnlyForACustomerOfTheCallersTenantAndRegisteredInIt() {
		String customerOfA = customerOf(TestJwtIssuer.TENANT_A);
		int registrations = registrations();

		open(this.tenantB, UUID.randomUUID().toString(), customerOfA).expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/customer-not-found");
		assertThat(registrations()).as("nothing registered in the ledger").isEqualTo(registrations);
		this.tenantB.get().uri("/v1/accounts?customerId={customer}", customerOfA).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(0);

		// the same customer for its own tenant, and B's own customer for B: both opened, each in its tenant
		String inA = createdId(open(this.tenantA, UUID.randomUUID().toString(), customerOfA));
		String inB = createdId(open(this.tenantB, UUID.randomUUID().toString(), customerOf(TestJwtIssuer.TENANT_B)));
		assertThat(ledgerAccounts.get(inA).tenant()).isEqualTo(TestJwtIssuer.TENANT_A.toString());
		assertThat(ledgerAccounts.get(inB).tenant()).isEqualTo(TestJwtIssuer.TENANT_B.toString());
		// each registered by account-service's own token, for the tenant of the client that opened it
		assertThat(ledger.received()).filteredOn((call) -> call.path().equals("/internal/ledger/accounts/" + inA))
			.isNotEmpty()
			.allSatisfy((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_A.toString()));
		assertThat(ledger.received()).filteredOn((call) -> call.path().equals("/internal/ledger/accounts/" + inB))
			.isNotEmpty()
			.allSatisfy((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_B.toString()));
		this.tenantB.get().uri("/v1/accounts/{id}", inB).exchange().expectStatus().isOk()
			.expectHeader().doesNotExist("X-Degraded")
			.expectBody().jsonPath("$.balance.amount").isEqualTo(0);
		this.tenantA.get().uri("/v1/accounts/{id}", inB).exchange().expectStatus().isNotFound();
	}

	@Test
	void theSameIdempotencyKeyInTwoTenantsIsTwoRequests() {
		// one client id in both tenants, so that only the tenant tells the two keys apart
		WebTestClient clientOfA = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_A, "same-client", "accounts:read", "accounts:write"));
		WebTestClient clientOfB = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "same-client", "accounts:read", "accounts:write"));
		String customerOfA = customerOf(TestJwtIssuer.TENANT_A);
		String customerOfB = customerOf(TestJwtIssuer.TENANT_B);
		String key = UUID.randomUUID().toString();

		WebTestClient.ResponseSpec first = open(clientOfA, key, customerOfA);
		first.expectHeader().doesNotExist("Idempotent-Replayed");
		String inA = createdId(first);
		WebTestClient.ResponseSpec second = open(clientOfB, key, customerOfB);
		second.expectHeader().doesNotExist("Idempotent-Replayed");
		String inB = createdId(second);
		assertThat(inB).isNotEqualTo(inA);

		// each tenant's key replays its own first response, never the other's
		open(clientOfA, key, customerOfA).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true").expectBody().jsonPath("$.id").isEqualTo(inA);
		open(clientOfB, key, customerOfB).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true").expectBody().jsonPath("$.id").isEqualTo(inB);
		clientOfA.get().uri("/v1/accounts?customerId={customer}", customerOfA).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(1);
		clientOfB.get().uri("/v1/accounts?customerId={customer}", customerOfB).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(1);
	}

	@Test
	void aPlatformServiceSeesOnlyTheAccountsOfTheTenantItNames() {
		String customer = customerOf(TestJwtIssuer.TENANT_A);
		String id = createdId(open(this.tenantA, UUID.randomUUID().toString(), customer));
		WebTestClient service = client(issuer.serviceToken("subscription-service"));

		service.get().uri("/internal/accounts/{id}", id).header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.customerId").isEqualTo(customer).jsonPath("$.status").isEqualTo("OPEN");
		service.get().uri("/internal/accounts/{id}", id).header(TENANT_HEADER, TestJwtIssuer.TENANT_B.toString())
			.exchange().expectStatus().isNotFound();
		service.get().uri("/internal/accounts/{id}", id).exchange().expectStatus().isForbidden()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		// an API client's token never opens the internal API, whatever tenant it is for
		this.tenantA.get().uri("/internal/accounts/{id}", id).exchange().expectStatus().isForbidden();
		this.tenantB.get().uri("/internal/accounts/{id}", id).exchange().expectStatus().isForbidden();

		// customer-service asks before closing a customer: only the customer's own tenant counts its accounts
		service.get().uri("/internal/accounts/not-closed?customerId={customer}", customer)
			.header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1);
		service.get().uri("/internal/accounts/not-closed?customerId={customer}", customer)
			.header(TENANT_HEADER, TestJwtIssuer.TENANT_B.toString())
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(0);
	}

	/** Every scope an API client can be granted, on any service of the platform: none is {@code internal}. */
	static final String[] ALL_API_SCOPES = { "customers:read", "customers:write", "accounts:read", "accounts:write",
			"products:read", "products:write", "subscriptions:read", "subscriptions:write", "billing:run",
			"transactions:read", "transactions:write" };

	/** Every route of InternalAccountController, for an account of tenant A and its customer. */
	static List<String> internalRoutes(String accountOfA, String customerOfA) {
		return List.of("/internal/accounts/" + accountOfA, "/internal/accounts/not-closed?customerId=" + customerOfA);
	}

	@Test
	void theInternalApiIsForPlatformServicesOnlyNeverForAnApiClient() {
		String customer = customerOf(TestJwtIssuer.TENANT_A);
		String id = createdId(open(this.tenantA, UUID.randomUUID().toString(), customer));
		Map<String, String> apiClients = new LinkedHashMap<>();
		for (UUID tenant : List.of(TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B)) {
			apiClients.put("read-only client of " + tenant, issuer.tokenForTenant(tenant, "reader", "accounts:read"));
			apiClients.put("all-scopes client of " + tenant, issuer.tokenForTenant(tenant, "admin", ALL_API_SCOPES));
		}
		WebTestClient service = client(issuer.serviceToken("subscription-service"));

		for (String route : internalRoutes(id, customer)) {
			apiClients.forEach((name, token) -> {
				client(token).get().uri(route).exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
				// naming a tenant in the header, as a platform service does, changes nothing for an API client
				client(token).get().uri(route).header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString()).exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
			});
			service.get().uri(route).header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString()).exchange()
				.expectStatus().is2xxSuccessful();
			service.get().uri(route).exchange()
				.expectStatus().isForbidden()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		}
	}

	@Test
	void everyTableIsScopedByPostgresItself() {
		assertThat(TenantIsolation.assertEveryTableIsTenantScoped(database)).contains("account", "idempotency_key");
	}

	static int registrations() {
		return (int) ledger.requests().stream()
			.filter((request) -> request.matches("PUT /internal/ledger/accounts/[^/]+"))
			.count();
	}

}
