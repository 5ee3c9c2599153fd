package io.scalarhub.customer;

import java.util.UUID;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
import io.scalarhub.test.TenantIsolation;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.scalarhub.platform.tenancy.TenantScope;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant isolation in customer-service: a client of tenant B never sees, lists, changes or closes tenant A's
 * customers (404, as if they did not exist), emails are unique per tenant, and a platform service acts only
 * for the tenant it names. Against the real database, with row-level security enforced.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CustomerTenancyTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("customer");

	static final StubService accounts = new StubService();

	static final StubService subscriptions = new StubService();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
		ServiceTestProperties.registerDownstream(registry, "account-service", accounts.url());
		ServiceTestProperties.registerDownstream(registry, "subscription-service", subscriptions.url());
		accounts.on("GET", "/internal/accounts/not-closed", (request) -> StubService.Response.ok("{\"count\":0}"));
		subscriptions.on("GET", "/internal/subscriptions/active", (request) -> StubService.Response.ok("{\"count\":0}"));
	}

	@AfterAll
	static void stop() {
		issuer.close();
		accounts.close();
		subscriptions.close();
	}

	@LocalServerPort
	int port;

	WebTestClient tenantA;

	WebTestClient tenantB;

	@BeforeEach
	void clients() {
		this.tenantA = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_A, "client-a", "customers:read", "customers:write"));
		this.tenantB = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "client-b", "customers:read", "customers:write"));
	}

	WebTestClient client(String token) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.build();
	}

	static String create(WebTestClient client, String email) {
		return client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + email + "\"}")
			.exchange()
			.expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/customers/", "");
	}

	@Test
	void anotherTenantsCustomerIsNotFoundForEveryOperationAndStaysUnchanged() {
		String email = "iso-" + UUID.randomUUID() + "@example.com";
		String id = create(this.tenantA, email);

		this.tenantB.get().uri("/v1/customers/{id}", id).exchange().expectStatus().isNotFound()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
		this.tenantB.patch().uri("/v1/customers/{id}", id).contentType(MediaType.valueOf("application/merge-patch+json"))
			.bodyValue("{\"name\":\"Mallory\"}").exchange().expectStatus().isNotFound();
		this.tenantB.delete().uri("/v1/customers/{id}", id).exchange().expectStatus().isNotFound();
		this.tenantB.get().uri("/v1/customers?email={email}", email).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.content").isEmpty().jsonPath("$.page.totalElements").isEqualTo(0);
		this.tenantB.get().uri("/v1/customers?size=100").exchange().expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(id));

		this.tenantA.get().uri("/v1/customers/{id}", id).exchange().expectStatus().isOk()
			.expectHeader().valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody().jsonPath("$.name").isEqualTo("Ada").jsonPath("$.status").isEqualTo("ACTIVE");
	}

	@Test
	void anEmailIsUniquePerTenant() {
		String email = "same-" + UUID.randomUUID() + "@example.com";
		String inA = create(this.tenantA, email);
		String inB = create(this.tenantB, email.toUpperCase());
		assertThat(inB).isNotEqualTo(inA);

		this.tenantB.post().uri("/v1/customers").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + email + "\"}").exchange()
			.expectStatus().isEqualTo(409);
		this.tenantA.get().uri("/v1/customers?email={email}", email).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.content.length()").isEqualTo(1).jsonPath("$.content[0].id").isEqualTo(inA);
	}

	@Test
	void aTenantHeaderFromAnApiClientChangesNothing() {
		String id = create(this.tenantA, "hdr-" + UUID.randomUUID() + "@example.com");

		this.tenantB.get().uri("/v1/customers/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isNotFound();
	}

	@Test
	void aPlatformServiceActsOnlyForTheTenantItNames() {
		String id = create(this.tenantA, "svc-" + UUID.randomUUID() + "@example.com");
		WebTestClient service = client(issuer.serviceToken("account-service"));

		service.get().uri("/internal/customers/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
		service.get().uri("/internal/customers/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_B.toString())
			.exchange().expectStatus().isNotFound();
		service.get().uri("/internal/customers/{id}", id).exchange().expectStatus().isForbidden()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		// an API client's token never opens the internal API, whatever tenant it is for
		this.tenantA.get().uri("/internal/customers/{id}", id).exchange().expectStatus().isForbidden();
		this.tenantB.get().uri("/internal/customers/{id}", id).exchange().expectStatus().isForbidden();
	}

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveTransactionManager transactionManager;

	/** The service's own data access, with and without a scope: no statement escapes the tenant. */
	@Test
	void workWithoutATenantScopeNeverReachesAnyRow() {
		create(this.tenantA, "scope-" + UUID.randomUUID() + "@example.com");
		TransactionalOperator transactional = TransactionalOperator.create(this.transactionManager);

		assertThatThrownBy(() -> count().as(transactional::transactional).block())
			.as("a transaction without a tenant scope").hasMessageContaining("outside any tenant scope");
		// no tenant set: on a new connection the setting is unknown, on a reused one it is empty, and either way
		// the policies' scalarhub_tenant() fails the statement
		assertThatThrownBy(() -> count().block()).as("a statement outside any transaction")
			.rootCause()
			.isInstanceOf(io.r2dbc.spi.R2dbcException.class)
			.message()
			.containsAnyOf("scalarhub.tenant_id", "invalid input syntax for type uuid: \"\"");
		assertThat(count().as(transactional::transactional).contextWrite(TenantScope.system()).block())
			.as("customers the system scope sees (no policy grants it any)").isZero();
		assertThat(count().as(transactional::transactional).contextWrite(TenantScope.with(TestJwtIssuer.TENANT_A)).block())
			.isPositive();
		assertThat(count().as(transactional::transactional).contextWrite(TenantScope.with(UUID.randomUUID())).block())
			.as("customers of a tenant that has none").isZero();
	}

	@Autowired
	io.scalarhub.platform.idempotency.IdempotencyKeyPurger purger;

	/** The one platform job that works across tenants here: it needs, and is granted, the system scope. */
	@Test
	void expiredIdempotencyRecordsOfEveryTenantArePurgedAndNothingElse() {
		TransactionalOperator transactional = TransactionalOperator.create(this.transactionManager);
		String client = "purge-" + UUID.randomUUID();
		for (UUID tenant : new UUID[] { TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B }) {
			// 3 hours: past the purge's floor of an hour, within the 24 h retention a key still replays
			for (String age : new String[] { "2 days", "3 hours", "1 minute" }) {
				this.db.sql("INSERT INTO idempotency_key (client_id, idempotency_key, request_hash, response_status, "
						+ "response_headers, response_body, created_at) VALUES (:client, :key, repeat('0', 64), 201, '{}', '', "
						+ "now() - CAST(:age AS interval))")
					.bind("client", client).bind("key", age).bind("age", age)
					.then()
					.as(transactional::transactional)
					.contextWrite(TenantScope.with(tenant))
					.block();
			}
		}

		assertThat(this.purger.purge().block()).isGreaterThanOrEqualTo(2);
		// and the system scope sees no record a key still replays
		assertThat(this.db.sql("SELECT count(*) FROM idempotency_key WHERE client_id = :client")
			.bind("client", client)
			.map((row) -> row.get(0, Long.class))
			.one()
			.as(transactional::transactional)
			.contextWrite(TenantScope.system())
			.block()).isZero();

		for (UUID tenant : new UUID[] { TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B }) {
			assertThat(this.db.sql("SELECT idempotency_key FROM idempotency_key WHERE client_id = :client")
				.bind("client", client)
				.map((row) -> row.get(0, String.class))
				.all()
				.collectList()
				.as(transactional::transactional)
				.contextWrite(TenantScope.with(tenant))
				.block()).as("records of tenant %s left", tenant).containsExactlyInAnyOrder("3 hours", "1 minute");
		}
	}

	/**
	 * A key lookup reads its tenant's records only: a second permissive policy that applies to reads would be
	 * OR-ed into every lookup, which then fetched and discarded every record older than an hour.
	 */
	@Test
	void onlyTheTenantPolicyAppliesToReadsOfIdempotencyRecords() throws Exception {
		try (java.sql.Connection connection = java.sql.DriverManager.getConnection(database.jdbcUrl(),
				database.username(), database.password());
				java.sql.ResultSet policies = connection.createStatement().executeQuery("SELECT policyname FROM pg_policies "
						+ "WHERE tablename = 'idempotency_key' AND cmd IN ('SELECT', 'ALL') ORDER BY policyname")) {
			java.util.List<String> names = new java.util.ArrayList<>();
			while (policies.next()) {
				names.add(policies.getString(1));
			}
			assertThat(names).containsExactly("tenant_isolation");
		}
	}

	private reactor.core.publisher.Mono<Long> count() {
		return this.db.sql("SELECT count(*) FROM customer").map((row) -> row.get(0, Long.class)).one();
	}

	@Test
	void everyTableIsScopedByPostgresItself() {
		assertThat(TenantIsolation.assertEveryTableIsTenantScoped(database)).contains("customer", "idempotency_key");
	}

}
