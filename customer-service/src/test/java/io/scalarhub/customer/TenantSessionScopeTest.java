package io.scalarhub.customer;

import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.scalarhub.platform.data.ReadReplica;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.platform.tenancy.TenantScopedTransactionManager;
import io.scalarhub.platform.tenancy.TenantSessionConnections;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Outside a transaction, a statement runs under the scope of the work that issued it: the connection's session is
 * set to that tenant before its first statement, and not again while it holds it. Watched from below with r2dbc-proxy
 * on the app's own primary pool (one connection), and through the API on a replica pool of one connection: a
 * one-statement read ({@code @OneStatementRead}) runs in no transaction, and each tenant still sees only its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.r2dbc.pool.max-size=1", "spring.r2dbc.pool.initial-size=1" })
class TenantSessionScopeTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final UUID TENANT_A = TestJwtIssuer.TENANT_A;

	static final UUID TENANT_B = TestJwtIssuer.TENANT_B;

	static final String SESSION_SET = "SELECT set_config('scalarhub.tenant_id', '%s', false)";

	static TestPostgres.Database database;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		database = TestPostgres.createDatabase("customer_session");
		ServiceTestProperties.register(registry, database, issuer);
		// one replica connection: every read below shares its session
		registry.add("scalarhub.r2dbc.replica.url", () -> database.replicaR2dbcUrl().replace("maxSize=5", "maxSize=1"));
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	List<String> queries;

	List<String> connectionMethods;

	DatabaseClient db;

	TransactionalOperator transactional;

	@Autowired
	@Qualifier("connectionFactory")
	ConnectionFactory primaryPool;

	@Autowired
	ReadReplica replica;

	@LocalServerPort
	int port;

	@BeforeEach
	void watchThePrimaryPool() {
		WatchedConnections watched = new WatchedConnections(this.primaryPool);
		this.queries = watched.queries;
		this.connectionMethods = watched.connectionMethods;
		ConnectionFactory scoped = TenantSessionConnections.of(watched.factory);
		this.db = DatabaseClient.create(scoped);
		this.transactional = TransactionalOperator.create(new TenantScopedTransactionManager(scoped));
		// a known start: the pool's only connection, its session holding no tenant
		outsideATransaction("SELECT 'start'", Context.empty());
		this.queries.clear();
		this.connectionMethods.clear();
	}

	@Test
	void aStatementOutsideATransactionRunsAsItsTenantAndTheSetIsNotRepeated() {
		assertThat(outsideATransaction("SELECT current_setting('scalarhub.tenant_id')", TenantScope.with(TENANT_A)))
			.containsExactly(TENANT_A.toString());
		assertThat(outsideATransaction("SELECT 'again ' || current_setting('scalarhub.tenant_id')",
				TenantScope.with(TENANT_A)))
			.containsExactly("again " + TENANT_A);
		assertThat(this.queries).containsExactly(SESSION_SET.formatted(TENANT_A),
				"SELECT current_setting('scalarhub.tenant_id')",
				"SELECT 'again ' || current_setting('scalarhub.tenant_id')");
		assertThat(this.connectionMethods).as("no transaction").doesNotContain("beginTransaction", "commitTransaction");

		outsideATransaction("SELECT 'other'", TenantScope.with(TENANT_B));
		assertThat(this.queries).as("another tenant on the same session is set again")
			.endsWith(SESSION_SET.formatted(TENANT_B), "SELECT 'other'");
	}

	@Test
	void eachTenantSeesOnlyItsOwnRowsOutsideATransaction() {
		UUID id = insertCustomerOf(TENANT_A);
		String count = "SELECT count(*)::text FROM customer WHERE id = '" + id + "'";
		assertThat(outsideATransaction(count, TenantScope.with(TENANT_A))).containsExactly("1");
		assertThat(outsideATransaction(count, TenantScope.with(TENANT_B))).containsExactly("0");
		assertThat(outsideATransaction(count, TenantScope.system())).as("no policy grants the system scope customers")
			.containsExactly("0");
		assertThat(outsideATransaction(count, TenantScope.with(TENANT_A))).containsExactly("1");
	}

	@Test
	void workWithoutAScopeAfterATenantsIsRefused() {
		outsideATransaction("SELECT 'scoped'", TenantScope.with(TENANT_A));
		assertThatThrownBy(() -> outsideATransaction("SELECT count(*)::text FROM customer", Context.empty()))
			.as("the session still holding the last tenant's scope would have counted its customers")
			.rootCause()
			.isInstanceOf(io.r2dbc.spi.R2dbcException.class)
			.message()
			.contains("invalid input syntax for type uuid: \"\"");
		assertThat(this.queries).contains(SESSION_SET.formatted(""));
	}

	@Test
	void aTransactionKeepsItsOwnTenantAndLeavesTheSessionsAsItWas() {
		outsideATransaction("SELECT 'session'", TenantScope.with(TENANT_A));
		List<String> inTransaction = this.transactional
			.transactional(this.db.sql("SELECT current_setting('scalarhub.tenant_id')").map((row) -> row.get(0, String.class)).all())
			.contextWrite(TenantScope.with(TENANT_B))
			.collectList()
			.block();
		assertThat(inTransaction).containsExactly(TENANT_B.toString());
		this.queries.clear();
		assertThat(outsideATransaction("SELECT current_setting('scalarhub.tenant_id')", TenantScope.with(TENANT_A)))
			.as("the transaction's setting ended with it").containsExactly(TENANT_A.toString());
		assertThat(this.queries).as("nothing to set: the session still holds A")
			.containsExactly("SELECT current_setting('scalarhub.tenant_id')");
	}

	@Test
	void oneStatementReadsRunInNoTransactionAndEachTenantSeesOnlyItsOwn() {
		WebTestClient a = client(issuer.tokenForTenant(TENANT_A, "client-a", "customers:read", "customers:write"));
		WebTestClient b = client(issuer.tokenForTenant(TENANT_B, "client-b", "customers:read", "customers:write"));
		String id = CustomerTenancyTest.create(a, "session-" + UUID.randomUUID() + "@example.com");
		io.scalarhub.test.Polling.until(java.time.Duration.ofSeconds(10), "the replica to replay the customer",
				() -> a.get().uri("/v1/customers/{id}", id).exchange().returnResult(String.class).getStatus().value() == 200);
		// the replica's one session, alternately A's and B's
		b.get().uri("/v1/customers/{id}", id).exchange().expectStatus().isNotFound();
		a.get().uri("/v1/customers/{id}", id).exchange().expectStatus().isOk();
		b.get().uri("/v1/customers/{id}", id).exchange().expectStatus().isNotFound();
		// a read in a transaction would have set the tenant for itself alone; this one left it on the session
		assertThat(Mono.usingWhen(this.replica.pool().create(),
				(connection) -> Mono.from(connection.createStatement("SELECT current_setting('scalarhub.tenant_id')").execute())
					.flatMap((result) -> Mono.from(result.map((row, metadata) -> row.get(0, String.class)))),
				Connection::close)
			.block()).isEqualTo(TENANT_B.toString());
	}

	private WebTestClient client(String token) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.build();
	}

	private UUID insertCustomerOf(UUID tenant) {
		UUID id = UUID.randomUUID();
		this.transactional
			.transactional(this.db.sql("INSERT INTO customer (id, name, email, status, created_at, updated_at) "
					+ "VALUES (:id, 'Session Test', :email, 'ACTIVE', now(), now())")
				.bind("id", id)
				.bind("email", id + "@example.com")
				.then())
			.contextWrite(TenantScope.with(tenant))
			.block();
		return id;
	}

	private List<String> outsideATransaction(String sql, Context scope) {
		return this.db.sql(sql).map((row) -> row.get(0, String.class)).all().contextWrite(scope).collectList().block();
	}

}
