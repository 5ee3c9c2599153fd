package io.scalarhub.customer;

import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.platform.tenancy.TenantScopedTransactionManager;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A transaction tells PostgreSQL its tenant in the same simple query as its {@code BEGIN}, and sends that query
 * with its first statement, without waiting for its answer. Watched from below with r2dbc-proxy on the app's own primary pool (one connection): what the
 * transaction manager sends, and what PostgreSQL then believes (the tenant, the access mode, nothing left on
 * the connection after the commit). A transaction with an isolation level keeps the driver's {@code BEGIN} and
 * a statement of its own for the tenant, and is scoped just the same.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.r2dbc.pool.max-size=1", "spring.r2dbc.pool.initial-size=1" })
class TenantScopedBeginTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final UUID TENANT = UUID.fromString("b1e00000-0000-4000-8000-00000000be61");

	static TestPostgres.Database database;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		database = TestPostgres.createDatabase("customer_begin");
		ServiceTestProperties.register(registry, database, issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	List<String> queries;

	List<String> connectionMethods;

	TenantScopedTransactionManager transactions;

	DatabaseClient db;

	@Autowired
	@Qualifier("connectionFactory")
	ConnectionFactory primaryPool;

	@BeforeEach
	void watchThePrimaryPool() {
		WatchedConnections watched = new WatchedConnections(this.primaryPool);
		this.queries = watched.queries;
		this.connectionMethods = watched.connectionMethods;
		this.transactions = new TenantScopedTransactionManager(watched.factory);
		this.db = DatabaseClient.create(watched.factory);
	}

	@Test
	void aReadOnlyTransactionBeginsAndSetsItsTenantInOneQuery() {
		List<String> seen = inTransaction(readOnly(), TenantScope.with(TENANT),
				"SELECT current_setting('scalarhub.tenant_id') || ' ' || current_setting('transaction_read_only')");
		assertThat(seen).containsExactly(TENANT + " on");
		assertThat(this.queries).containsExactly(
				"BEGIN READ ONLY; SELECT set_config('scalarhub.tenant_id', '" + TENANT + "', true)",
				"SELECT current_setting('scalarhub.tenant_id') || ' ' || current_setting('transaction_read_only')");
		assertThat(this.connectionMethods).as("the driver's BEGIN is not sent").doesNotContain("beginTransaction")
			.contains("commitTransaction");
	}

	@Test
	void aReadWriteTransactionWritesAsItsTenant() {
		UUID id = UUID.randomUUID();
		Mono<Long> insertAndCount = this.db
			.sql("INSERT INTO customer (id, name, email, status, created_at, updated_at) "
					+ "VALUES (:id, 'Begin Test', :email, 'ACTIVE', now(), now())")
			.bind("id", id)
			.bind("email", id + "@example.com")
			.then()
			.then(this.db.sql("SELECT count(*) FROM customer WHERE id = :id AND tenant_id = :tenant")
				.bind("id", id)
				.bind("tenant", TENANT)
				.map((row) -> row.get(0, Long.class))
				.one());
		Long written = TransactionalOperator.create(this.transactions)
			.transactional(insertAndCount)
			.contextWrite(TenantScope.with(TENANT))
			.block();
		assertThat(written).as("the row took the transaction's tenant").isEqualTo(1L);
		assertThat(this.queries.get(0))
			.isEqualTo("BEGIN READ WRITE; SELECT set_config('scalarhub.tenant_id', '" + TENANT + "', true)");
		assertThat(inTransaction(readOnly(), TenantScope.with(UUID.randomUUID()),
				"SELECT count(*)::text FROM customer WHERE id = '" + id + "'"))
			.as("another tenant does not see it").containsExactly("0");
	}

	@Test
	void theBeginGoesOutWithTheFirstStatementWithoutWaitingForItsAnswer() throws Exception {
		String statement = "SELECT 'sent with the BEGIN ' || current_setting('scalarhub.tenant_id')";
		// PostgreSQL's answers are held from the BEGIN on: a client that waited for the BEGIN's answer before
		// sending its statement would only go on when the relay's patience ran out
		try (HoldingRelay relay = new HoldingRelay(database.host(), database.port(), "BEGIN READ ONLY", statement,
				Duration.ofSeconds(5))) {
			PostgresqlConnectionFactory direct = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
				.host("127.0.0.1")
				.port(relay.port())
				.database(database.name())
				.username(database.username())
				.password(database.password())
				.build());
			List<String> seen = TransactionalOperator.create(new TenantScopedTransactionManager(direct), readOnly())
				.transactional(DatabaseClient.create(direct).sql(statement).map((row) -> row.get(0, String.class)).all())
				.contextWrite(TenantScope.with(TENANT))
				.collectList()
				.block(Duration.ofSeconds(30));
			assertThat(seen).containsExactly("sent with the BEGIN " + TENANT);
			assertThat(relay.releasedByClient()).as("the statement was sent before the BEGIN's answer came").isTrue();
		}
	}

	@Test
	void aRequestCancelledBeforeTheBeginIsAnsweredLeavesNoTransactionOpen() throws Exception {
		String takeTheLock = "SELECT pg_advisory_xact_lock(4242)::text";
		try (HoldingRelay relay = new HoldingRelay(database.host(), database.port(), "BEGIN READ WRITE",
				"never sent", Duration.ofSeconds(30))) {
			ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration
				.builder(new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
					.host("127.0.0.1")
					.port(relay.port())
					.database(database.name())
					.username(database.username())
					.password(database.password())
					.build()))
				.initialSize(1)
				.maxSize(1)
				.build());
			try {
				Disposable request = TransactionalOperator.create(new TenantScopedTransactionManager(pool))
					.transactional(DatabaseClient.create(pool).sql(takeTheLock).map((row) -> row.get(0, String.class)).all())
					.contextWrite(TenantScope.with(TENANT))
					.subscribe();
				Polling.until(Duration.ofSeconds(10), "the statement to follow the BEGIN",
						() -> relay.clientHasSent(takeTheLock));
				// the client goes away while PostgreSQL's answers are still held: the rollback comes before the
				// driver has read that a transaction is open
				request.dispose();
				relay.release();
				Polling.until(Duration.ofSeconds(10), "the pooled session to have rolled back and let the lock go",
						() -> anotherSessionCanTake(4242));
			}
			finally {
				pool.dispose();
			}
		}
	}

	@Test
	void aFailingFirstStatementRollsBackAndLeavesTheConnectionClean() {
		assertThatThrownBy(() -> inTransaction(readOnly(), TenantScope.with(TENANT), "SELECT 1/0")).isNotNull();
		assertThat(this.queries).startsWith("BEGIN READ ONLY; SELECT set_config('scalarhub.tenant_id', '" + TENANT + "', true)",
				"SELECT 1/0");
		assertThat(this.connectionMethods).contains("rollbackTransaction");
		// an aborted transaction left open would refuse the next statement (25P02)
		assertThat(tenantOutsideAnyTransaction()).isEmpty();
	}

	@Test
	void aSavepointBeforeAnyStatementBeginsTheTransactionFirst() {
		// were the BEGIN and the tenant sent after the savepoint, rolling back to it would take the tenant with it
		Mono<String> failingNested = TransactionalOperator
			.create(this.transactions, new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_NESTED))
			.transactional(this.db.sql("SELECT (1 / 0)::text").map((row) -> row.get(0, String.class)).one())
			.onErrorResume((ex) -> Mono.empty());
		Mono<String> afterIt = this.db
			.sql("SELECT current_setting('scalarhub.tenant_id') || ' ' || current_setting('transaction_read_only')")
			.map((row) -> row.get(0, String.class))
			.one();
		String seen = TransactionalOperator.create(this.transactions, readOnly())
			.transactional(failingNested.then(afterIt))
			.contextWrite(TenantScope.with(TENANT))
			.block();
		assertThat(seen).as("the tenant outlives the savepoint's rollback").isEqualTo(TENANT + " on");
		assertThat(this.connectionMethods).containsSubsequence("createSavepoint", "rollbackTransactionToSavepoint",
				"commitTransaction");
		assertThat(this.queries).first().asString().startsWith("BEGIN READ ONLY; SELECT set_config(");
	}

	@Test
	void aTransactionThatRunsNothingSendsNothing() {
		TransactionalOperator.create(this.transactions, readOnly())
			.transactional(Mono.just("no statement"))
			.contextWrite(TenantScope.with(TENANT))
			.block();
		assertThat(this.queries).isEmpty();
	}

	@Test
	void theTenantEndsWithItsTransaction() {
		inTransaction(readOnly(), TenantScope.with(TENANT), "SELECT 'scoped'");
		assertThat(tenantOutsideAnyTransaction()).isEmpty();
	}

	@Test
	void theSystemScopeIsSetTheSameWay() {
		assertThat(inTransaction(readOnly(), TenantScope.system(), "SELECT current_setting('scalarhub.tenant_id')"))
			.containsExactly("system");
		assertThat(this.queries.get(0)).isEqualTo("BEGIN READ ONLY; SELECT set_config('scalarhub.tenant_id', 'system', true)");
	}

	@Test
	void aTransactionWithAnIsolationLevelIsBegunByTheDriverAndStillScoped() {
		DefaultTransactionDefinition serializable = readOnly();
		serializable.setIsolationLevel(TransactionDefinition.ISOLATION_SERIALIZABLE);
		List<String> seen = inTransaction(serializable, TenantScope.with(TENANT),
				"SELECT current_setting('scalarhub.tenant_id') || ' ' || current_setting('transaction_isolation')");
		assertThat(seen).containsExactly(TENANT + " serializable");
		assertThat(this.connectionMethods).contains("beginTransaction");
		assertThat(this.queries).first().asString().startsWith("SELECT set_config('scalarhub.tenant_id', $1, true)");
	}

	@Test
	void workWithoutAScopeIsRefusedBeforeAnyQuery() {
		assertThatThrownBy(() -> TransactionalOperator.create(this.transactions)
			.transactional(this.db.sql("SELECT 1").then())
			.block()).isInstanceOf(IllegalStateException.class).hasMessageContaining("outside any tenant scope");
		assertThat(this.queries).isEmpty();
	}

	private List<String> inTransaction(DefaultTransactionDefinition definition, Context scope, String sql) {
		return TransactionalOperator.create(this.transactions, definition)
			.transactional(this.db.sql(sql).map((row) -> row.get(0, String.class)).all())
			.contextWrite(scope)
			.collectList()
			.block();
	}

	/** Whether a session of its own gets the advisory lock (and lets it go again as it closes). */
	private static boolean anotherSessionCanTake(long lock) {
		try (java.sql.Connection session = DriverManager.getConnection(
				"jdbc:postgresql://" + database.host() + ":" + database.port() + "/" + database.name(),
				database.username(), database.password()); Statement statement = session.createStatement()) {
			ResultSet taken = statement.executeQuery("SELECT pg_try_advisory_lock(" + lock + ")");
			return taken.next() && taken.getBoolean(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("could not ask PostgreSQL for the lock", ex);
		}
	}

	/** The tenant setting on the pool's only connection, read outside any transaction. */
	private String tenantOutsideAnyTransaction() {
		return this.db.sql("SELECT coalesce(current_setting('scalarhub.tenant_id', true), '')")
			.map((row) -> row.get(0, String.class))
			.one()
			.block();
	}

	private static DefaultTransactionDefinition readOnly() {
		DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
		definition.setReadOnly(true);
		return definition;
	}

}
