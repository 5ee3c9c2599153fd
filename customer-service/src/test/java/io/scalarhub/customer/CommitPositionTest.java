package io.scalarhub.customer;

import java.util.UUID;

import io.scalarhub.platform.data.CommitPosition;
import io.scalarhub.platform.data.Lsn;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A write request learns its consistency token from its own commit ({@code COMMIT; SELECT pg_current_wal_lsn()},
 * one round trip on the connection that wrote), not from a query of its own on another pooled connection. The
 * position is at or past the commit, so a replica that replayed that far shows the write; transactions of other
 * work, read-only ones and failed commits report nothing; and the connection serves the next transaction.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.r2dbc.pool.max-size=1", "spring.r2dbc.pool.initial-size=1" })
class CommitPositionTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final UUID TENANT = UUID.fromString("d3e00000-0000-4000-8000-00000000c0de");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_commit"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Autowired
	ReactiveTransactionManager transactions;

	@Autowired
	DatabaseClient db;

	@Test
	void aReadWriteCommitReportsWhereTheWalStoodAfterIt() {
		CommitPosition position = new CommitPosition();
		Lsn before = primaryPosition();
		insertCustomer(position).block();
		Lsn after = primaryPosition();
		assertThat(position.latest()).as("the commit's position").isPresent();
		assertThat(position.latest().get().compareTo(before)).as("past the WAL before the write").isPositive();
		assertThat(position.latest().get().compareTo(after)).as("no later than the WAL after it").isLessThanOrEqualTo(0);
		// the pool's one connection is back in autocommit and serves the next transaction
		insertCustomer(position).block();
		assertThat(position.latest().get().compareTo(after)).as("the request's latest commit counts").isPositive();
	}

	@Test
	void readOnlyTransactionsAndWorkOutsideAWriteRequestCommitPlainly() {
		CommitPosition position = new CommitPosition();
		DefaultTransactionDefinition readOnly = new DefaultTransactionDefinition();
		readOnly.setReadOnly(true);
		TransactionalOperator.create(this.transactions, readOnly)
			.transactional(this.db.sql("SELECT count(*) FROM customer").fetch().one())
			.contextWrite(scoped(position))
			.block();
		assertThat(position.latest()).as("a read-only transaction reports nothing").isEmpty();
		insertCustomer(null).block();
		assertThat(position.latest()).isEmpty();
	}

	@Test
	void aCommitThatFailsReportsNoPositionAndFails() {
		CommitPosition position = new CommitPosition();
		// a deferred check fails only at COMMIT: the statement after it must not run, and the error must surface
		Mono<Void> failingAtCommit = this.db.sql("CREATE TEMP TABLE IF NOT EXISTS deferred_check (id int PRIMARY KEY, "
					+ "parent int REFERENCES deferred_check (id) DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP")
			.then()
			.then(this.db.sql("INSERT INTO deferred_check VALUES (1, 42)").then());
		assertThatThrownBy(() -> TransactionalOperator.create(this.transactions)
			.transactional(failingAtCommit)
			.contextWrite(scoped(position))
			.block()).isInstanceOf(DataIntegrityViolationException.class);
		assertThat(position.latest()).isEmpty();
		insertCustomer(position).block();
		assertThat(position.latest()).as("the connection works after the failed commit").isPresent();
	}

	@Test
	void aTransactionAnEarlierErrorAbortedIsNeverReportedAsCommitted() {
		CommitPosition position = new CommitPosition();
		UUID id = UUID.randomUUID();
		// an error swallowed inside the transaction: PostgreSQL has aborted it, and a bare COMMIT would answer
		// ROLLBACK without an error, acknowledging a write that never happened
		Mono<Void> swallowed = this.db
			.sql("INSERT INTO customer (id, name, email, status, created_at, updated_at) "
					+ "VALUES (:id, 'Aborted', :email, 'ACTIVE', now(), now())")
			.bind("id", id)
			.bind("email", id + "@example.com")
			.then()
			.then(this.db.sql("SELECT 1 / 0").then().onErrorResume((error) -> Mono.empty()));
		assertThatThrownBy(() -> TransactionalOperator.create(this.transactions)
			.transactional(swallowed)
			.contextWrite(scoped(position))
			.block()).isInstanceOf(RuntimeException.class);
		assertThat(position.latest()).isEmpty();
		Long written = TransactionalOperator.create(this.transactions)
			.transactional(this.db.sql("SELECT count(*) FROM customer WHERE id = :id").bind("id", id)
				.map((row) -> row.get(0, Long.class)).one())
			.contextWrite(scoped(null))
			.block();
		assertThat(written).as("the aborted insert").isZero();
		insertCustomer(position).block();
		assertThat(position.latest()).as("the connection works after it").isPresent();
	}

	private Mono<Void> insertCustomer(CommitPosition position) {
		UUID id = UUID.randomUUID();
		Mono<Void> insert = this.db
			.sql("INSERT INTO customer (id, name, email, status, created_at, updated_at) "
					+ "VALUES (:id, 'Commit Position', :email, 'ACTIVE', now(), now())")
			.bind("id", id)
			.bind("email", id + "@example.com")
			.then();
		return TransactionalOperator.create(this.transactions).transactional(insert).contextWrite(scoped(position));
	}

	private static Context scoped(CommitPosition position) {
		Context scope = TenantScope.with(TENANT);
		return (position != null) ? scope.put(CommitPosition.class, position) : scope;
	}

	private Lsn primaryPosition() {
		return Lsn.parse(this.db.sql("SELECT pg_current_wal_lsn()::text").map((row) -> row.get(0, String.class)).one().block());
	}

}
