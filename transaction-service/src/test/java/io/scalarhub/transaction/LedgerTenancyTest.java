package io.scalarhub.transaction;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TenantIsolation;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant isolation in the ledger: a client of tenant B never reads, lists, freezes, moves money into, out of
 * or between tenant A's accounts (404 to read, 422 as an operand) and nothing of A's moves; idempotency keys
 * and charges are per tenant; the internal API is a platform service's alone (an API client's token is 403
 * there, whatever its scopes or tenant), and a platform service acts only for the tenant it names; and the
 * database itself refuses a posting that would reach across tenants. Against the real database, with
 * row-level security enforced.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LedgerTenancyTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("ledger_tenancy");

	static final String TENANT_HEADER = LedgerTestClient.TENANT_HEADER;

	static final String CONSISTENCY_HEADER = LedgerTestClient.CONSISTENCY_HEADER;

	/** An API client that may only read the ledger. */
	static final String[] READ_ONLY = { "transactions:read", "accounts:read" };

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@LocalServerPort
	int port;

	/**
	 * The position of the last write any client here was answered: every request presents it, so that a 404
	 * for B means "not B's", never "not on the replica yet".
	 */
	final AtomicReference<String> lastWrite = new AtomicReference<>();

	LedgerTestClient tenantA;

	LedgerTestClient tenantB;

	/** A platform service's own token (subscription-service's, say): no tenant until it names one. */
	WebTestClient service;

	/** account-service's own token, which registers accounts: no tenant until it names one. */
	WebTestClient accountService;

	@BeforeEach
	void clients() {
		this.tenantA = ledgerClient(TestJwtIssuer.TENANT_A, "client-a");
		this.tenantB = ledgerClient(TestJwtIssuer.TENANT_B, "client-b");
		this.service = client(issuer.serviceToken("subscription-service"));
		this.accountService = client(issuer.serviceToken("account-service"));
	}

	/**
	 * An API client of {@code tenant} with {@link LedgerTestClient#SCOPES}, its accounts opened by account-service
	 * acting for {@code tenant}.
	 */
	LedgerTestClient ledgerClient(UUID tenant, String clientId) {
		return new LedgerTestClient(client(issuer.tokenForTenant(tenant, clientId, LedgerTestClient.SCOPES)),
				(service) -> client(issuer.serviceToken(service), tenant));
	}

	WebTestClient client(String token) {
		return client(token, null);
	}

	/** With {@code token}, naming {@code actingFor} in {@value #TENANT_HEADER} unless null. */
	WebTestClient client(String token, UUID actingFor) {
		WebTestClient.Builder builder = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.filter(this::readingEveryWrite);
		if (actingFor != null) {
			builder.defaultHeader(TENANT_HEADER, actingFor.toString());
		}
		return builder.build();
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

	static String createdId(WebTestClient.ResponseSpec response) {
		return response.expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/transactions/", "");
	}

	WebTestClient.ResponseSpec charge(UUID actingFor, UUID chargeId, UUID account, long amount) {
		return this.service.put()
			.uri("/internal/ledger/charges/{id}", chargeId)
			.header(TENANT_HEADER, actingFor.toString())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"accountId\":\"" + account + "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}")
			.exchange();
	}

	static void expectProblem(WebTestClient.ResponseSpec response, int status, String type) {
		response.expectStatus().isEqualTo(status).expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/" + type);
	}

	/** 403 as problem+json, of {@code type}. */
	static void expectForbidden(WebTestClient.ResponseSpec response, String type) {
		response.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status").isEqualTo(403)
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/" + type);
	}

	/** An API client's token on the internal API: refused for lack of the platform's own scope. */
	static void expectNotForApiClients(WebTestClient.ResponseSpec response) {
		expectForbidden(response, "forbidden");
	}

	@Test
	void anotherTenantsAccountIsNotFoundNeverAnOperandAndNothingOfItMoves() {
		UUID a1 = this.tenantA.openAccount("EUR");
		UUID a2 = this.tenantA.openAccount("EUR");
		String aDeposit = createdId(this.tenantA.post(UUID.randomUUID().toString(), LedgerTestClient.deposit(a1, 1000, "EUR")));
		UUID b1 = this.tenantB.openAccount("EUR");
		this.tenantB.deposit(b1, 500);

		WebTestClient b = this.tenantB.http;
		expectProblem(b.get().uri("/v1/accounts/{id}/balance", a1).exchange(), 404, "not-found");
		b.get().uri("/v1/accounts/{id}/balance", a1).header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isNotFound();
		// B's API client may not call the internal API at all: 403, not even a 404 that would tell it anything
		expectNotForApiClients(b.get().uri("/internal/ledger/accounts/{id}", a1).exchange());
		expectNotForApiClients(b.get().uri("/internal/ledger/accounts?ids={a1},{b1}", a1, b1).exchange());
		for (String status : new String[] { "FROZEN", "CLOSED", "OPEN" }) {
			expectNotForApiClients(b.put().uri("/internal/ledger/accounts/{id}/status", a1).contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"status\":\"" + status + "\"}").exchange());
		}
		// account-service acting for B: A's account is not found, left out of a list, never frozen or closed
		WebTestClient forB = this.tenantB.internal;
		forB.get().uri("/internal/ledger/accounts/{id}", a1).exchange().expectStatus().isNotFound();
		forB.get().uri("/internal/ledger/accounts?ids={a1},{b1}", a1, b1).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].id").isEqualTo(b1.toString());
		for (String status : new String[] { "FROZEN", "CLOSED", "OPEN" }) {
			forB.put().uri("/internal/ledger/accounts/{id}/status", a1).contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"status\":\"" + status + "\"}").exchange().expectStatus().isNotFound();
		}

		expectProblem(this.tenantB.post(UUID.randomUUID().toString(), LedgerTestClient.deposit(a1, 10, "EUR")), 422,
				"account-not-found");
		expectProblem(this.tenantB.post(UUID.randomUUID().toString(), LedgerTestClient.withdrawal(a1, 10)), 422,
				"account-not-found");
		expectProblem(this.tenantB.post(UUID.randomUUID().toString(), LedgerTestClient.transfer(a1, b1, 10)), 422,
				"account-not-found");
		expectProblem(this.tenantB.post(UUID.randomUUID().toString(), LedgerTestClient.transfer(b1, a1, 10)), 422,
				"account-not-found");
		expectProblem(this.tenantB.post(UUID.randomUUID().toString(), LedgerTestClient.transfer(b1, a2, 10)), 422,
				"account-not-found");

		b.get().uri("/v1/transactions/{id}", aDeposit).exchange().expectStatus().isNotFound();
		// as for an account that does not exist: an empty page
		b.get().uri("/v1/transactions?accountId={id}", a1).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.content").isEmpty().jsonPath("$.page.totalElements").isEqualTo(0);
		b.get().uri("/v1/transactions?size=100").exchange().expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(aDeposit, a1.toString()));

		assertThat(this.tenantA.balance(a1)).isEqualTo(1000);
		assertThat(this.tenantA.balance(a2)).isZero();
		this.tenantA.internal.get().uri("/internal/ledger/accounts/{id}", a1).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("OPEN");
		this.tenantA.http.get().uri("/v1/transactions?accountId={id}", a1).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(1).jsonPath("$.content[0].id").isEqualTo(aDeposit);
		assertThat(this.tenantB.balance(b1)).isEqualTo(500);
	}

	@Test
	void theSameIdempotencyKeyInTwoTenantsIsTwoRequests() {
		// one client id in both tenants, so that only the tenant tells the two keys apart
		LedgerTestClient clientOfA = ledgerClient(TestJwtIssuer.TENANT_A, "same-client");
		LedgerTestClient clientOfB = ledgerClient(TestJwtIssuer.TENANT_B, "same-client");
		UUID a1 = clientOfA.openAccount("EUR");
		UUID b1 = clientOfB.openAccount("EUR");
		String key = UUID.randomUUID().toString();

		WebTestClient.ResponseSpec first = clientOfA.post(key, LedgerTestClient.deposit(a1, 10, "EUR"));
		first.expectHeader().doesNotExist("Idempotent-Replayed");
		String inA = createdId(first);
		WebTestClient.ResponseSpec second = clientOfB.post(key, LedgerTestClient.deposit(b1, 20, "EUR"));
		second.expectHeader().doesNotExist("Idempotent-Replayed");
		String inB = createdId(second);
		assertThat(inB).isNotEqualTo(inA);

		// each tenant's key replays its own first response, never the other's
		clientOfA.post(key, LedgerTestClient.deposit(a1, 10, "EUR")).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true").expectBody().jsonPath("$.id").isEqualTo(inA);
		clientOfB.post(key, LedgerTestClient.deposit(b1, 20, "EUR")).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true").expectBody().jsonPath("$.id").isEqualTo(inB);
		assertThat(clientOfA.balance(a1)).isEqualTo(10);
		assertThat(clientOfB.balance(b1)).isEqualTo(20);
	}

	@Test
	void aPlatformServiceChargesOnlyForTheTenantItNames() {
		UUID a1 = this.tenantA.openAccount("EUR");
		this.tenantA.deposit(a1, 1000);
		UUID chargeId = UUID.randomUUID();

		expectProblem(charge(TestJwtIssuer.TENANT_B, chargeId, a1, 300), 422, "account-not-found");
		this.service.put().uri("/internal/ledger/charges/{id}", chargeId).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"accountId\":\"" + a1 + "\",\"amount\":300,\"currency\":\"EUR\"}").exchange()
			.expectStatus().isForbidden().expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		assertThat(this.tenantA.balance(a1)).isEqualTo(1000);
		this.tenantA.http.get().uri("/v1/transactions/{id}", chargeId).exchange().expectStatus().isNotFound();

		// refused, so nothing was left behind: the same id now charges A's account, once
		charge(TestJwtIssuer.TENANT_A, chargeId, a1, 300).expectStatus().isCreated()
			.expectBody().jsonPath("$.sourceAccountId").isEqualTo(a1.toString());
		charge(TestJwtIssuer.TENANT_A, chargeId, a1, 300).expectStatus().isOk();
		assertThat(this.tenantA.balance(a1)).isEqualTo(700);
	}

	@Test
	void aChargeIdAnotherTenantUsedIs409AndItsChargeStaysUntouched() {
		UUID a1 = this.tenantA.openAccount("EUR");
		this.tenantA.deposit(a1, 1000);
		UUID b1 = this.tenantB.openAccount("EUR");
		this.tenantB.deposit(b1, 1000);
		UUID chargeId = UUID.randomUUID();
		charge(TestJwtIssuer.TENANT_A, chargeId, a1, 300).expectStatus().isCreated();

		for (int attempt = 0; attempt < 2; attempt++) {
			charge(TestJwtIssuer.TENANT_B, chargeId, b1, 300).expectStatus().isEqualTo(409)
				.expectBody(String.class).value((body) -> assertThat(body)
					.contains("https://scalarhub.io/problems/charge-id-in-use").doesNotContain(a1.toString()));
		}
		// with A's own account named, B still learns nothing of it
		expectProblem(charge(TestJwtIssuer.TENANT_B, chargeId, a1, 300), 422, "account-not-found");
		this.tenantB.http.get().uri("/v1/transactions/{id}", chargeId).exchange().expectStatus().isNotFound();
		this.tenantB.http.get().uri("/v1/transactions?accountId={id}", b1).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(1);
		assertThat(this.tenantB.balance(b1)).isEqualTo(1000);

		this.tenantA.http.get().uri("/v1/transactions/{id}", chargeId).exchange().expectStatus().isOk()
			.expectBody()
			.jsonPath("$.type").isEqualTo("WITHDRAWAL")
			.jsonPath("$.sourceAccountId").isEqualTo(a1.toString())
			.jsonPath("$.amount").isEqualTo(300);
		charge(TestJwtIssuer.TENANT_A, chargeId, a1, 300).expectStatus().isOk();
		assertThat(this.tenantA.balance(a1)).isEqualTo(700);
	}

	@Test
	void aRegisteredAccountIsTheCallersTenantsAndAnotherTenantsIdIsTaken() {
		UUID inB = UUID.randomUUID();
		this.accountService.put().uri("/internal/ledger/accounts/{id}", inB).header(TENANT_HEADER, TestJwtIssuer.TENANT_B.toString())
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"currency\":\"EUR\"}").exchange()
			.expectStatus().isOk();
		assertThat(this.tenantB.balance(inB)).isZero();
		this.tenantA.http.get().uri("/v1/accounts/{id}/balance", inB).exchange().expectStatus().isNotFound();

		// the same id registered for A: taken, and nothing of B's account is shown or changed
		this.accountService.put().uri("/internal/ledger/accounts/{id}", inB).header(TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"currency\":\"USD\"}").exchange()
			.expectStatus().isEqualTo(409)
			.expectBody(String.class).value((body) -> assertThat(body)
				.contains("https://scalarhub.io/problems/account-state-conflict").doesNotContain("EUR"));
		this.accountService.put().uri("/internal/ledger/accounts/{id}", inB).header(TENANT_HEADER, TestJwtIssuer.TENANT_B.toString())
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"currency\":\"EUR\"}").exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.currency").isEqualTo("EUR").jsonPath("$.status").isEqualTo("OPEN");
		this.tenantA.http.get().uri("/v1/accounts/{id}/balance", inB).exchange().expectStatus().isNotFound();
	}

	/**
	 * Zero trust for the internal API: an API client's token, whatever it holds (only reads, or every scope of the
	 * ledger) and of whichever tenant, naming a tenant in {@value #TENANT_HEADER} or not, is 403 problem+json on
	 * every {@code /internal/**} route of the ledger, for its own tenant's accounts as for another's, and nothing
	 * changes; a platform service's own token that names no tenant is 403 {@code tenant-required} and changes
	 * nothing either; the same service tokens naming the tenant get their 2xx.
	 */
	@Test
	void theInternalApiIsAPlatformServicesOwnAndOnlyForTheTenantItNames() throws SQLException {
		UUID a1 = this.tenantA.openAccount("EUR");
		this.tenantA.deposit(a1, 1000);
		UUID b1 = this.tenantB.openAccount("EUR");
		this.tenantB.deposit(b1, 500);
		List<UUID> tenants = List.of(TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B);
		Map<UUID, UUID> accountOf = Map.of(TestJwtIssuer.TENANT_A, a1, TestJwtIssuer.TENANT_B, b1);
		// per tenant: an account id nobody registered yet and a charge id nobody used yet
		Map<UUID, UUID> newAccountOf = Map.of(TestJwtIssuer.TENANT_A, UUID.randomUUID(), TestJwtIssuer.TENANT_B, UUID.randomUUID());
		Map<UUID, UUID> chargeOf = Map.of(TestJwtIssuer.TENANT_A, UUID.randomUUID(), TestJwtIssuer.TENANT_B, UUID.randomUUID());
		String before = ledgerRows();

		List<WebTestClient> apiClients = new ArrayList<>();
		for (UUID tenant : tenants) {
			for (String[] scopes : List.of(READ_ONLY, LedgerTestClient.ALL_SCOPES)) {
				String token = issuer.tokenForTenant(tenant, "api-client", scopes);
				apiClients.add(client(token));
				// naming a tenant does not make an API client a platform service (nor another tenant's)
				for (UUID named : tenants) {
					apiClients.add(client(token, named));
				}
			}
		}
		for (WebTestClient apiClient : apiClients) {
			for (UUID tenant : tenants) {
				for (WebTestClient.ResponseSpec response : internalCalls(apiClient, accountOf.get(tenant),
						newAccountOf.get(tenant), chargeOf.get(tenant))) {
					expectNotForApiClients(response);
				}
			}
		}
		for (String service : new String[] { "account-service", "subscription-service" }) {
			WebTestClient namingNoTenant = client(issuer.serviceToken(service));
			for (UUID tenant : tenants) {
				for (WebTestClient.ResponseSpec response : internalCalls(namingNoTenant, accountOf.get(tenant),
						newAccountOf.get(tenant), chargeOf.get(tenant))) {
					expectForbidden(response, "tenant-required");
				}
			}
		}
		assertThat(ledgerRows()).as("no account registered, frozen or charged").isEqualTo(before);
		assertThat(this.tenantA.balance(a1)).isEqualTo(1000);
		assertThat(this.tenantB.balance(b1)).isEqualTo(500);

		// the platform's services, naming the tenant they act for: each route answers
		for (UUID tenant : tenants) {
			UUID account = accountOf.get(tenant);
			UUID registered = newAccountOf.get(tenant);
			UUID chargeId = chargeOf.get(tenant);
			WebTestClient accounts = client(issuer.serviceToken("account-service"), tenant);
			WebTestClient billing = client(issuer.serviceToken("subscription-service"), tenant);
			accounts.put().uri("/internal/ledger/accounts/{id}", registered).contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"currency\":\"EUR\"}").exchange().expectStatus().isOk()
				.expectBody().jsonPath("$.id").isEqualTo(registered.toString()).jsonPath("$.status").isEqualTo("OPEN")
				.jsonPath("$.balance").isEqualTo(0);
			for (String status : new String[] { "FROZEN", "OPEN" }) {
				accounts.put().uri("/internal/ledger/accounts/{id}/status", account).contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"status\":\"" + status + "\"}").exchange().expectStatus().isOk()
					.expectBody().jsonPath("$.status").isEqualTo(status);
			}
			accounts.get().uri("/internal/ledger/accounts/{id}", account).exchange().expectStatus().isOk()
				.expectBody().jsonPath("$.id").isEqualTo(account.toString());
			accounts.get().uri("/internal/ledger/accounts?ids={account},{registered}", account, registered).exchange()
				.expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(2);
			// 201, not 200: none of the refused requests posted this charge
			billing.put().uri("/internal/ledger/charges/{id}", chargeId).contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"accountId\":\"" + account + "\",\"amount\":100,\"currency\":\"EUR\"}").exchange()
				.expectStatus().isCreated().expectBody().jsonPath("$.id").isEqualTo(chargeId.toString());
		}
		assertThat(this.tenantA.balance(a1)).isEqualTo(900);
		assertThat(this.tenantB.balance(b1)).isEqualTo(400);
	}

	/**
	 * Each route of the ledger's internal API once, by {@code caller}: register {@code newAccount}, freeze
	 * {@code account}, read it, list it, charge it under {@code chargeId}.
	 */
	static List<WebTestClient.ResponseSpec> internalCalls(WebTestClient caller, UUID account, UUID newAccount, UUID chargeId) {
		return List.of(
				caller.put().uri("/internal/ledger/accounts/{id}", newAccount).contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"currency\":\"EUR\"}").exchange(),
				caller.put().uri("/internal/ledger/accounts/{id}/status", account).contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"status\":\"FROZEN\"}").exchange(),
				caller.get().uri("/internal/ledger/accounts/{id}", account).exchange(),
				caller.get().uri("/internal/ledger/accounts?ids={account},{newAccount}", account, newAccount).exchange(),
				caller.put().uri("/internal/ledger/charges/{id}", chargeId).contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"accountId\":\"" + account + "\",\"amount\":100,\"currency\":\"EUR\"}").exchange());
	}

	/** Every account, transaction and entry row of both tenants, read straight from the database. */
	static String ledgerRows() throws SQLException {
		StringBuilder rows = new StringBuilder();
		try (Connection db = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
				Statement sql = db.createStatement()) {
			for (UUID tenant : List.of(TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B)) {
				sql.execute("SET scalarhub.tenant_id = '" + tenant + "'");
				rows.append("tenant ").append(tenant).append('\n');
				for (String query : new String[] { "SELECT id, currency, status, balance, updated_at FROM ledger_account ORDER BY id",
						"SELECT id, type, amount, status FROM ledger_transaction ORDER BY id",
						"SELECT transaction_id, account_id, amount FROM ledger_entry ORDER BY transaction_id, account_id" }) {
					try (ResultSet result = sql.executeQuery(query)) {
						int columns = result.getMetaData().getColumnCount();
						while (result.next()) {
							for (int column = 1; column <= columns; column++) {
								rows.append(result.getString(column)).append(' ');
							}
							rows.append('\n');
						}
					}
				}
			}
		}
		return rows.toString();
	}

	@Test
	void theDatabaseItselfRefusesAPostingThatReachesIntoAnotherTenant() throws SQLException {
		UUID a1 = this.tenantA.openAccount("EUR");
		String aDeposit = createdId(this.tenantA.post(UUID.randomUUID().toString(), LedgerTestClient.deposit(a1, 100, "EUR")));
		UUID b1 = this.tenantB.openAccount("EUR");
		String bDeposit = createdId(this.tenantB.post(UUID.randomUUID().toString(), LedgerTestClient.deposit(b1, 100, "EUR")));

		// as tenant B, naming A's rows by id, past everything the service's code checks
		try (Connection db = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
				Statement sql = db.createStatement()) {
			sql.execute("SET scalarhub.tenant_id = '" + TestJwtIssuer.TENANT_B + "'");
			assertThatThrownBy(() -> sql.execute("INSERT INTO ledger_transaction (id, type, amount, currency, "
					+ "destination_account_id, status, created_at) VALUES ('" + UUID.randomUUID() + "', 'DEPOSIT', 1, 'EUR', '"
					+ a1 + "', 'POSTED', now())")).hasMessageContaining("ledger_transaction_destination_account_fkey");
			assertThatThrownBy(() -> sql.execute("INSERT INTO ledger_transaction (id, type, amount, currency, "
					+ "source_account_id, destination_account_id, status, created_at) VALUES ('" + UUID.randomUUID()
					+ "', 'TRANSFER', 1, 'EUR', '" + a1 + "', '" + b1 + "', 'POSTED', now())"))
				.hasMessageContaining("ledger_transaction_source_account_fkey");
			assertThatThrownBy(() -> sql.execute("INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at) "
					+ "VALUES ('" + aDeposit + "', '" + b1 + "', 1, now())")).hasMessageContaining("ledger_entry_transaction_fkey");
			assertThatThrownBy(() -> sql.execute("INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at) "
					+ "VALUES ('" + bDeposit + "', '" + a1 + "', 1, now())")).hasMessageContaining("ledger_entry_account_fkey");
			// and a row claiming A's tenant outright is refused by the policy
			assertThatThrownBy(() -> sql.execute("INSERT INTO ledger_account (id, currency, status, balance, updated_at, "
					+ "tenant_id) VALUES ('" + UUID.randomUUID() + "', 'EUR', 'OPEN', 1000, now(), '" + TestJwtIssuer.TENANT_A
					+ "')")).hasMessageContaining("row-level security");
			assertThat(sql.executeUpdate("UPDATE ledger_account SET balance = balance + 1 WHERE id = '" + a1 + "'")).isZero();
		}
		assertThat(this.tenantA.balance(a1)).isEqualTo(100);
	}

	@Test
	void everyTableIsScopedByPostgresItself() {
		assertThat(TenantIsolation.assertEveryTableIsTenantScoped(database)).contains("ledger_account",
				"ledger_transaction", "ledger_entry", "idempotency_key");
	}

}
