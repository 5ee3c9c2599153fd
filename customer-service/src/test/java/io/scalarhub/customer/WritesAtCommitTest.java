package io.scalarhub.customer;

import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.ConnectionFactory;
import io.scalarhub.platform.data.CommitPosition;
import io.scalarhub.platform.data.PositionReportingTransactionManager;
import io.scalarhub.platform.data.SqlLiterals;
import io.scalarhub.platform.data.WritesAtCommit;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.platform.tenancy.TenantScopedTransactionManager;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A write carried to its transaction's commit ({@link WritesAtCommit}, as the idempotency key's record is) reaches
 * PostgreSQL in the same simple query as the {@code COMMIT}: no round trip of its own. It is committed with the
 * transaction or not at all: a rollback drops it, a savepoint rolled back to drops what came after it, a write that
 * fails fails the commit and takes the transaction's other work with it, and a transaction an earlier error aborted
 * is not committed by it. Watched from below with r2dbc-proxy on the app's primary pool of one connection, which
 * must serve the next work after each case.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.r2dbc.pool.max-size=1", "spring.r2dbc.pool.initial-size=1" })
class WritesAtCommitTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final UUID TENANT = UUID.fromString("c0de0000-0000-4000-8000-0000000c0317");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_at_commit"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Autowired
	@Qualifier("connectionFactory")
	ConnectionFactory primaryPool;

	@Autowired
	ReactiveTransactionManager appTransactions;

	@Autowired
	DatabaseClient appDb;

	List<String> queries;

	List<String> connectionMethods;

	ConnectionFactory watched;

	DatabaseClient db;

	@BeforeEach
	void watchThePrimaryPool() {
		WatchedConnections watching = new WatchedConnections(this.primaryPool);
		this.queries = watching.queries;
		this.connectionMethods = watching.connectionMethods;
		this.watched = watching.factory;
		this.db = DatabaseClient.create(this.watched);
	}

	@Test
	void theAppsTransactionsCarryWritesToTheirCommit() {
		assertThat(this.appTransactions).isInstanceOf(PositionReportingTransactionManager.class);
	}

	@Test
	void aWriteGoesToPostgresqlInTheCommitsQuery() {
		UUID id = UUID.randomUUID();
		inTransaction(new TenantScopedTransactionManager(this.watched), writeCustomer(id));
		assertThat(this.queries).containsExactly(
				"BEGIN READ WRITE; SELECT set_config('scalarhub.tenant_id', '" + TENANT + "', true)",
				insertCustomer(id) + "; COMMIT");
		assertThat(this.connectionMethods).as("no commit of the driver's own").doesNotContain("commitTransaction");
		assertThat(customers(id)).as("committed, as the transaction's tenant").isEqualTo(1);
		assertThat(sessionIsIdle()).as("the pooled connection is out of any transaction").isTrue();
	}

	@Test
	void aWriteRequestsCommitCarriesTheWriteAndReportsItsPosition() {
		UUID id = UUID.randomUUID();
		CommitPosition position = new CommitPosition();
		TransactionalOperator.create(new PositionReportingTransactionManager(this.watched))
			.transactional(this.db.sql("SELECT 1").then().then(writeCustomer(id)))
			.contextWrite(TenantScope.with(TENANT).put(CommitPosition.class, position))
			.block();
		assertThat(this.queries).last()
			.isEqualTo(insertCustomer(id) + "; COMMIT; SELECT pg_current_wal_lsn()::text");
		assertThat(position.latest()).as("the commit's position").isPresent();
		assertThat(customers(id)).isEqualTo(1);
	}

	@Test
	void aRollbackDropsTheWrite() {
		UUID id = UUID.randomUUID();
		assertThatThrownBy(() -> inTransaction(new TenantScopedTransactionManager(this.watched),
				this.db.sql("SELECT 1").then().then(writeCustomer(id)).then(Mono.error(new IllegalStateException("later")))))
			.hasMessageContaining("later");
		assertThat(this.queries).noneMatch((query) -> query.contains("INSERT"));
		assertThat(customers(id)).isZero();
		assertThat(sessionIsIdle()).isTrue();
	}

	@Test
	void aFailingWriteFailsTheCommitAndUndoesTheTransaction() {
		UUID first = UUID.randomUUID();
		Mono<Void> work = this.db.sql(insertCustomer(first))
			.then()
			// the same id again: the primary key refuses it, at the commit
			.then(writeCustomer(first));
		assertThatThrownBy(() -> inTransaction(new TenantScopedTransactionManager(this.watched), work))
			.isInstanceOf(DataIntegrityViolationException.class);
		assertThat(customers(first)).as("the transaction's earlier insert").isZero();
		assertThat(sessionIsIdle()).isTrue();
	}

	@Test
	void aTransactionAnEarlierErrorAbortedIsNotCommittedByItsWrite() {
		UUID inserted = UUID.randomUUID();
		UUID carried = UUID.randomUUID();
		// an error swallowed inside the transaction: PostgreSQL has aborted it; a bare COMMIT would answer ROLLBACK
		Mono<Void> work = this.db.sql(insertCustomer(inserted))
			.then()
			.then(this.db.sql("SELECT 1 / 0").then().onErrorResume((ex) -> Mono.empty()))
			.then(writeCustomer(carried));
		assertThatThrownBy(() -> inTransaction(new TenantScopedTransactionManager(this.watched), work))
			.isInstanceOf(RuntimeException.class);
		assertThat(customers(inserted)).isZero();
		assertThat(customers(carried)).isZero();
		assertThat(sessionIsIdle()).isTrue();
	}

	@Test
	void aWriteAfterASavepointRolledBackToIsDropped() {
		UUID kept = UUID.randomUUID();
		UUID dropped = UUID.randomUUID();
		TenantScopedTransactionManager transactions = new TenantScopedTransactionManager(this.watched);
		Mono<Void> nested = TransactionalOperator
			.create(transactions, new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_NESTED))
			.transactional(writeCustomer(dropped).then(Mono.<Void>error(new IllegalStateException("nested"))))
			.onErrorResume((ex) -> Mono.empty());
		inTransaction(transactions, writeCustomer(kept).then(nested));
		assertThat(this.connectionMethods).contains("createSavepoint", "rollbackTransactionToSavepoint");
		assertThat(customers(kept)).isEqualTo(1);
		assertThat(customers(dropped)).isZero();
	}

	@Test
	void outsideATransactionTheWriteRunsAtOnce() {
		UUID id = UUID.randomUUID();
		// the app's own client: outside a transaction, its connections set the session's tenant
		WritesAtCommit.write(this.appDb, insertCustomer(id)).contextWrite(TenantScope.with(TENANT)).block();
		assertThat(customers(id)).isEqualTo(1);
	}

	@Test
	void textLiteralsReadBackAsWrittenWhateverTheStringSetting() {
		List<String> awkward = List.of("it's", "back\\slash\\", "\\'", "''", "$1 $2", "$$ $tag$ $q", "E'x'",
				"--; COMMIT; DROP TABLE customer; --", "été ünï 🎉", "tab\there\nnew line", "");
		for (String setting : List.of("on", "off")) {
			for (String text : awkward) {
				String read = this.db.inConnection((connection) -> Flux
					.from(connection.createStatement("SET standard_conforming_strings = " + setting).execute())
					.concatMap((result) -> result.getRowsUpdated())
					.thenMany(Flux.from(connection.createStatement("SELECT " + SqlLiterals.text(text)).execute()))
					.concatMap((result) -> result.map((row, metadata) -> row.get(0, String.class)))
					.single())
					.block();
				assertThat(read).as("standard_conforming_strings=%s", setting).isEqualTo(text);
			}
		}
		this.db.sql("RESET standard_conforming_strings").then().block();
		assertThat(SqlLiterals.text(null)).isEqualTo("NULL");
		assertThatThrownBy(() -> SqlLiterals.text("nul\0")).isInstanceOf(IllegalArgumentException.class);
	}

	private Mono<Void> writeCustomer(UUID id) {
		return WritesAtCommit.write(this.db, insertCustomer(id));
	}

	private static String insertCustomer(UUID id) {
		return "INSERT INTO customer (id, name, email, status, created_at, updated_at) VALUES ('" + id
				+ "', 'At Commit', '" + id + "@example.com', 'ACTIVE', now(), now())";
	}

	private void inTransaction(ReactiveTransactionManager transactions, Mono<?> work) {
		TransactionalOperator.create(transactions).transactional(work).contextWrite(TenantScope.with(TENANT)).block();
	}

	/** The tenant's customers with this id, read in a transaction of its own on the same pooled connection. */
	private long customers(UUID id) {
		return TransactionalOperator.create(new TenantScopedTransactionManager(this.primaryPool))
			.transactional(DatabaseClient.create(this.primaryPool)
				.sql("SELECT count(*) FROM customer WHERE id = '" + id + "'")
				.map((row) -> row.get(0, Long.class))
				.one())
			.contextWrite(TenantScope.with(TENANT))
			.block();
	}

	/** Whether the pooled connection's session is outside any transaction (an aborted one would refuse this). */
	private boolean sessionIsIdle() {
		return Boolean.TRUE.equals(DatabaseClient.create(this.primaryPool)
			.sql("SELECT now() = statement_timestamp()")
			.map((row) -> row.get(0, Boolean.class))
			.one()
			.block());
	}

}
