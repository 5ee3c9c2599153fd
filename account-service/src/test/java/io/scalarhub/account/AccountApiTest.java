package io.scalarhub.account;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.scalarhub.test.CommittedOpenApi;
import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.Polling;
import io.scalarhub.test.PublishedOpenApi;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
import io.scalarhub.test.StubService.Response;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static io.scalarhub.test.ServiceCalls.internalRoute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Accounts contract over real HTTP and a real database, against customer-service and the ledger as
 * real HTTP services on loopback that answer their internal contracts, and that the test can make hang or
 * die to see the circuit breaker, the 503s and the degraded balance. Like the real services, the stubs
 * answer only account-service's own token naming a tenant (ServiceCalls), and every test checks that each
 * call it caused was one, for the test client's tenant: the client's token is never relayed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "resilience4j.circuitbreaker.instances.transaction-service.wait-duration-in-open-state=1s",
				"resilience4j.circuitbreaker.instances.transaction-service.minimum-number-of-calls=3",
				"resilience4j.circuitbreaker.instances.transaction-service.sliding-window-size=5",
				"resilience4j.timelimiter.instances.customer-service.timeout-duration=300ms" })
class AccountApiTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final StubService customers = new StubService();

	static final StubService ledger = new StubService();

	/** The customers customer-service knows: id -> status. */
	static final Map<String, String> customerStatus = new ConcurrentHashMap<>();

	/** When set, the ledger's address answers 404 to a registration, as a stale or wrong address would. */
	static final java.util.concurrent.atomic.AtomicBoolean registrationNotFound = new java.util.concurrent.atomic.AtomicBoolean();

	/** The ledger's accounts: id -> [currency, status, balance]. */
	static final Map<String, String[]> ledgerAccounts = new ConcurrentHashMap<>();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("account"), issuer);
		ServiceTestProperties.registerDownstream(registry, "customer-service", customers.url());
		ServiceTestProperties.registerDownstream(registry, "transaction-service", ledger.url());
		customers.on("GET", "/internal/customers/([^/]+)", internalRoute((request) -> {
			String status = customerStatus.get(request.pathGroups()[0]);
			return (status == null) ? new Response(404, "{\"status\":404}")
					: Response.ok("{\"id\":\"" + request.pathGroups()[0] + "\",\"status\":\"" + status + "\"}");
		}));
		ledger.on("PUT", "/internal/ledger/accounts/([^/]+)", internalRoute((request) -> {
			if (registrationNotFound.get()) {
				return new Response(404, "{}");
			}
			String currency = field(request.body(), "currency");
			ledgerAccounts.putIfAbsent(request.pathGroups()[0], new String[] { currency, "OPEN", "0" });
			return Response.ok(ledgerView(request.pathGroups()[0]));
		}));
		ledger.on("PUT", "/internal/ledger/accounts/([^/]+)/status", internalRoute((request) -> {
			String[] account = ledgerAccounts.get(request.pathGroups()[0]);
			String status = field(request.body(), "status");
			if ("CLOSED".equals(status) && !"0".equals(account[2])) {
				return new Response(409, "{\"type\":\"https://scalarhub.io/problems/account-state-conflict\","
						+ "\"title\":\"Conflict\",\"status\":409,\"detail\":\"holds money\"}");
			}
			account[1] = status;
			return Response.ok(ledgerView(request.pathGroups()[0]));
		}));
		ledger.on("GET", "/internal/ledger/accounts/([^/]+)", internalRoute((request) -> ledgerAccounts.containsKey(request.pathGroups()[0])
				? Response.ok(ledgerView(request.pathGroups()[0])) : new Response(404, "{}")));
		ledger.on("GET", "/internal/ledger/accounts", internalRoute((request) -> {
			StringBuilder list = new StringBuilder("[");
			for (String id : request.query().replace("ids=", "").replace("%2C", ",").split(",")) {
				if (ledgerAccounts.containsKey(id)) {
					list.append(list.length() > 1 ? "," : "").append(ledgerView(id));
				}
			}
			return Response.ok(list.append("]").toString());
		}));
	}

	static String ledgerView(String id) {
		String[] account = ledgerAccounts.get(id);
		return "{\"id\":\"" + id + "\",\"currency\":\"" + account[0] + "\",\"status\":\"" + account[1]
				+ "\",\"balance\":" + account[2] + ",\"updatedAt\":\"2026-11-22T10:00:00Z\"}";
	}

	static String field(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
		return matcher.find() ? matcher.group(1) : null;
	}

	@AfterAll
	static void stop() {
		issuer.close();
		customers.close();
		ledger.close();
	}

	@LocalServerPort
	int port;

	WebTestClient client;

	/** How many calls each stub had received when the test began. */
	int customerCallsBefore;

	int ledgerCallsBefore;

	@BeforeEach
	void client() {
		this.customerCallsBefore = customers.received().size();
		this.ledgerCallsBefore = ledger.received().size();
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION,
					"Bearer " + issuer.token("account-test", "accounts:read", "accounts:write"))
			.build();
	}

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	/**
	 * Every call account-service made downstream in the test was its own (scope internal, no tenant claim: the
	 * API client's token is never relayed) for the test client's tenant, named in X-Scalarhub-Tenant.
	 */
	@AfterEach
	void everyDownstreamCallWasTheServicesOwnForTheClientsTenant() {
		List<StubService.Request> toCustomers = customers.received();
		List<StubService.Request> toLedger = ledger.received();
		ServiceCalls.assertServiceCallsFor(toCustomers.subList(this.customerCallsBefore, toCustomers.size()),
				TestJwtIssuer.TENANT_A.toString());
		ServiceCalls.assertServiceCallsFor(toLedger.subList(this.ledgerCallsBefore, toLedger.size()),
				TestJwtIssuer.TENANT_A.toString());
	}

	/** Each test starts with healthy dependencies and closed circuits, whatever the previous one did. */
	@AfterEach
	void dependenciesBack() {
		registrationNotFound.set(false);
		customers.recover();
		ledger.recover();
		this.circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
	}

	static String activeCustomer() {
		String id = UUID.randomUUID().toString();
		customerStatus.put(id, "ACTIVE");
		return id;
	}

	WebTestClient.ResponseSpec open(String key, String customerId, String currency) {
		WebTestClient.RequestBodySpec request = this.client.post().uri("/v1/accounts").contentType(MediaType.APPLICATION_JSON);
		if (key != null) {
			request.header("Idempotency-Key", key);
		}
		return request.bodyValue("{\"customerId\":\"" + customerId + "\",\"currency\":\"" + currency + "\",\"name\":\"Main\"}")
			.exchange();
	}

	String openAccount() {
		return open(UUID.randomUUID().toString(), activeCustomer(), "EUR").expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/accounts/", "");
	}

	/**
	 * The public API changes only on purpose: what the service serves is its committed document, and a change
	 * that would break a client of a published version fails here (docs/api.md, "Compatibility: the committed
	 * documents").
	 */
	@Test
	void theServedOpenApiIsTheCommittedOne() {
		CommittedOpenApi.assertServedIsCommitted(PublishedOpenApi.fetch(this.port));
	}

	/**
	 * What a client generator reads: the operations' names and tags, their real success statuses and
	 * headers, the required Idempotency-Key, and each problem they answer with.
	 */
	@Test
	void theOpenApiDocumentIsHonestAndGeneratorReady() {
		PublishedOpenApi docs = PublishedOpenApi.fetch(this.port).assertGeneratorReady();
		assertThat(docs.operationIds()).isEqualTo(Map.of("POST /v1/accounts", "createAccount",
				"GET /v1/accounts", "listAccounts", "GET /v1/accounts/{id}", "getAccount",
				"POST /v1/accounts/{id}/freeze", "freezeAccount", "POST /v1/accounts/{id}/unfreeze", "unfreezeAccount",
				"POST /v1/accounts/{id}/close", "closeAccount"));
		assertThat(docs.tags()).containsExactly("Accounts");

		PublishedOpenApi.Operation create = docs.operation("POST", "/v1/accounts");
		assertThat(create.successStatuses()).containsExactly("201");
		assertThat(create.responseHeaders("201")).contains("Location", "Idempotent-Replayed");
		assertThat(create.responseSchema("201").path("$ref").asString()).endsWith("/AccountResponse");
		assertThat(create.requiresHeader("Idempotency-Key")).isTrue();
		assertThat(create.description("409")).contains("idempotency-key-in-use");
		assertThat(create.description("422")).contains("customer-not-found", "customer-not-active",
				"idempotency-key-reused");

		assertThat(docs.operation("GET", "/v1/accounts/{id}").responseHeaders("200")).contains("X-Degraded");
		for (String action : new String[] { "freeze", "unfreeze", "close" }) {
			PublishedOpenApi.Operation operation = docs.operation("POST", "/v1/accounts/{id}/" + action);
			assertThat(operation.successStatuses()).as(action).containsExactly("200");
			assertThat(operation.statuses()).as(action).contains("404", "409");
			assertThat(operation.description("409")).as(action).contains("account-state-conflict");
		}
	}

	@Test
	void openingAnAccountRegistersItInTheLedgerAndAnswers201() {
		String customer = activeCustomer();
		String location = open(UUID.randomUUID().toString(), customer, "EUR").expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.customerId").isEqualTo(customer)
			.jsonPath("$.currency").isEqualTo("EUR")
			.jsonPath("$.status").isEqualTo("OPEN")
			.jsonPath("$.balance.amount").isEqualTo(0)
			.jsonPath("$.balance.currency").isEqualTo("EUR")
			.returnResult()
			.getResponseHeaders()
			.getLocation()
			.getPath();
		assertThat(ledgerAccounts).containsKey(location.replace("/v1/accounts/", ""));
		this.client.get().uri("/v1/accounts?customerId={id}", customer).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.page.totalElements").isEqualTo(1)
			.jsonPath("$.content[0].balance.amount").isEqualTo(0);
	}

	@Test
	void theKeyIsRequiredReplaysAndRefusesAnotherBody() {
		String customer = activeCustomer();
		open(null, customer, "EUR").expectStatus().isBadRequest();
		String key = UUID.randomUUID().toString();
		byte[] first = open(key, customer, "EUR").expectStatus().isCreated().expectBody().returnResult().getResponseBody();
		open(key, customer, "EUR").expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Idempotent-Replayed", "true")
			.expectBody()
			.consumeWith((replay) -> assertThat(replay.getResponseBody()).isEqualTo(first));
		open(key, customer, "USD").expectStatus().isEqualTo(422);
		this.client.get().uri("/v1/accounts?customerId={id}", customer).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(1);
	}

	@Test
	void anUnknownOrClosedCustomerIs422() {
		open(UUID.randomUUID().toString(), UUID.randomUUID().toString(), "EUR").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/customer-not-found");
		String closed = UUID.randomUUID().toString();
		customerStatus.put(closed, "CLOSED");
		open(UUID.randomUUID().toString(), closed, "EUR").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/customer-not-active");
		open(UUID.randomUUID().toString(), activeCustomer(), "XYZ").expectStatus().isBadRequest();
	}

	@Test
	void aCustomerServiceThatHangsIs503FastWithRetryAfter() {
		customers.hang();
		long started = System.nanoTime();
		open(UUID.randomUUID().toString(), activeCustomer(), "EUR").expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists("Retry-After")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		// three attempts of 300 ms at most, with backoff: never a hang
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void freezeUnfreezeAndCloseGoThroughTheLedger() {
		String id = openAccount();
		this.client.post().uri("/v1/accounts/{id}/freeze", id).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("FROZEN");
		assertThat(ledgerAccounts.get(id)[1]).isEqualTo("FROZEN");
		this.client.post().uri("/v1/accounts/{id}/unfreeze", id).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("OPEN");
		ledgerAccounts.get(id)[2] = "250";
		this.client.post().uri("/v1/accounts/{id}/close", id).exchange()
			.expectStatus().isEqualTo(409)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/account-state-conflict");
		ledgerAccounts.get(id)[2] = "0";
		this.client.post().uri("/v1/accounts/{id}/close", id).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("CLOSED");
		this.client.post().uri("/v1/accounts/{id}/freeze", id).exchange().expectStatus().isEqualTo(409);
		this.client.post().uri("/v1/accounts/{id}/close", UUID.randomUUID()).exchange().expectStatus().isNotFound();
	}

	@Test
	void theAccountIsServedWithoutItsBalanceWhileTheLedgerIsDownAndTheCircuitOpensAndCloses() {
		String id = openAccount();
		ledgerAccounts.get(id)[2] = "1234";
		this.client.get().uri("/v1/accounts/{id}", id).exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("X-Degraded")
			.expectBody().jsonPath("$.balance.amount").isEqualTo(1234);

		ledger.hang();
		for (int i = 0; i < 3; i++) {
			this.client.get().uri("/v1/accounts/{id}", id).exchange()
				.expectStatus().isOk()
				.expectHeader().valueEquals("X-Degraded", "balance")
				.expectBody().jsonPath("$.balance").isEmpty().jsonPath("$.status").isEqualTo("OPEN");
		}
		// the circuit is open now: the degraded answer comes at once, the ledger is not even asked
		int callsBefore = ledger.calls();
		long started = System.nanoTime();
		this.client.get().uri("/v1/accounts/{id}", id).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Degraded", "balance");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
		assertThat(ledger.calls()).isEqualTo(callsBefore);

		ledger.recover();
		Polling.until(Duration.ofSeconds(10), "the circuit to close and the balance to return",
				() -> this.client.get().uri("/v1/accounts/{id}", id).exchange().returnResult(String.class)
					.getResponseHeaders().getFirst("X-Degraded") == null);
	}

	@Test
	void aDeadLedgerMeansNoAccountIsOpenedAndNothingIsLeftHalfMade() {
		String customer = activeCustomer();
		ledger.kill();
		open(UUID.randomUUID().toString(), customer, "EUR").expectStatus().isEqualTo(503);
		ledger.recover();
		this.client.get().uri("/v1/accounts?customerId={id}", customer).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(0);
	}

	/**
	 * A 404 to the registration (an address that is not the ledger's, or a ledger without that path) registered
	 * nothing: the account is not opened as if it had been, which would leave it without a ledger account.
	 */
	@Test
	void aRegistrationAnswered404MeansNoAccountIsOpened() {
		String customer = activeCustomer();
		registrationNotFound.set(true);
		open(UUID.randomUUID().toString(), customer, "EUR").expectStatus().isEqualTo(503);
		registrationNotFound.set(false);
		this.client.get().uri("/v1/accounts?customerId={id}", customer).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(0);
	}

	@Test
	void otherServicesCanAskHowManyAccountsACustomerStillHas() {
		String customer = activeCustomer();
		String id = open(UUID.randomUUID().toString(), customer, "EUR").expectStatus().isCreated()
			.returnResult(String.class).getResponseHeaders().getLocation().getPath().replace("/v1/accounts/", "");
		open(UUID.randomUUID().toString(), customer, "EUR").expectStatus().isCreated();
		this.client.post().uri("/v1/accounts/{id}/close", id).exchange().expectStatus().isOk();
		platformService("customer-service").get().uri("/internal/accounts/not-closed?customerId={id}", customer).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.count").isEqualTo(1);
		// the API client that opened them cannot ask on the internal path
		this.client.get().uri("/internal/accounts/not-closed?customerId={id}", customer).exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
	}

	@Test
	void otherServicesCanAskWhoseAnAccountIsItsCurrencyAndStatus() {
		String customer = activeCustomer();
		String id = open(UUID.randomUUID().toString(), customer, "USD").expectStatus().isCreated()
			.returnResult(String.class).getResponseHeaders().getLocation().getPath().replace("/v1/accounts/", "");
		this.client.post().uri("/v1/accounts/{id}/freeze", id).exchange().expectStatus().isOk();
		WebTestClient subscriptionService = platformService("subscription-service");
		subscriptionService.get().uri("/internal/accounts/{id}", id).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.id").isEqualTo(id)
			.jsonPath("$.customerId").isEqualTo(customer)
			.jsonPath("$.currency").isEqualTo("USD")
			.jsonPath("$.status").isEqualTo("FROZEN");
		subscriptionService.get().uri("/internal/accounts/{id}", UUID.randomUUID()).exchange().expectStatus().isNotFound();
		// the API client that owns the account cannot ask on the internal path
		this.client.get().uri("/internal/accounts/{id}", id).exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
	}

	/**
	 * Another platform service as it calls account-service: its own token (scope internal, no tenant), naming
	 * the tenant of the test client's accounts in X-Scalarhub-Tenant.
	 */
	WebTestClient platformService(String clientId) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.serviceToken(clientId))
			.defaultHeader(ServiceCalls.TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.build();
	}

}
