package io.scalarhub.transaction;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the bank tests share: transfers among a few accounts, the answers clients got, and the ledger's
 * invariants read straight from the database afterwards.
 */
final class BankLedger {

	/** Answers (201 only) by Idempotency-Key: a key's answers must all name the same transaction. */
	final Map<String, Set<String>> acknowledgedIdsByKey = new ConcurrentHashMap<>();

	void record(Answer answer) {
		if (answer.status() == 201) {
			this.acknowledgedIdsByKey.computeIfAbsent(answer.key(), (key) -> ConcurrentHashMap.newKeySet()).add(answer.id());
		}
	}

	int acknowledgedKeys() {
		return this.acknowledgedIdsByKey.size();
	}

	/**
	 * Every invariant, on {@code database} as the bank's tenant: a key's answers name one transaction; money
	 * conserved; no balance negative; every balance the sum of its entries; one transfer per acknowledged key and
	 * none for the others; every acknowledged transaction in the ledger. Returns the acknowledged transactions.
	 */
	Set<String> assertInvariants(TestPostgres.Database database, long money) throws SQLException {
		Collection<Set<String>> answers = this.acknowledgedIdsByKey.values();
		assertThat(answers).as("a key's answers name one transaction").allMatch((ids) -> ids.size() == 1);
		Set<String> acknowledged = answers.stream().flatMap(Set::stream).collect(Collectors.toSet());
		try (Connection db = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
				Statement sql = db.createStatement()) {
			// row-level security shows nothing without a tenant: read as the tenant the bank's clients belong to
			sql.execute("SET scalarhub.tenant_id = '" + TestJwtIssuer.TENANT_A + "'");
			assertThat(single(sql, "SELECT sum(balance) FROM ledger_account")).as("money conserved").isEqualTo(money);
			assertThat(single(sql, "SELECT count(*) FROM ledger_account WHERE balance < 0")).isZero();
			assertThat(single(sql, "SELECT count(*) FROM ledger_account a WHERE balance <> "
					+ "(SELECT coalesce(sum(amount), 0) FROM ledger_entry e WHERE e.account_id = a.id)"))
				.as("every balance is the sum of its entries")
				.isZero();
			assertThat(single(sql, "SELECT count(*) FROM ledger_transaction WHERE type = 'TRANSFER'"))
				.as("one transaction per acknowledged key, none for the others")
				.isEqualTo(acknowledged.size());
			assertThat(single(sql, "SELECT count(*) FROM ledger_transaction WHERE id IN ("
					+ acknowledged.stream().map((id) -> "'" + id + "'").collect(Collectors.joining(",")) + ")"))
				.as("every acknowledged transaction is in the ledger")
				.isEqualTo(acknowledged.size());
		}
		return acknowledged;
	}

	/** {@code count} accounts in EUR, each opened with {@code opening} deposited, through the API. */
	static List<UUID> openAccounts(LedgerTestClient setup, int count, long opening) {
		List<UUID> accounts = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			UUID account = setup.openAccount("EUR");
			setup.deposit(account, opening);
			accounts.add(account);
		}
		return accounts;
	}

	/** A client of the service on {@code port} presenting a token of {@code clientId} with {@code scope}. */
	static WebClient client(int port, TestJwtIssuer issuer, String clientId, String scope) {
		return WebClient.builder()
			.baseUrl("http://localhost:" + port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token(clientId, scope))
			.build();
	}

	/** One number from {@code database}, read as the bank's tenant. */
	static long singleAsTenant(TestPostgres.Database database, String query) throws SQLException {
		try (Connection db = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
				Statement sql = db.createStatement()) {
			sql.execute("SET scalarhub.tenant_id = '" + TestJwtIssuer.TENANT_A + "'");
			return single(sql, query);
		}
	}

	static long single(Statement sql, String query) throws SQLException {
		try (ResultSet result = sql.executeQuery(query)) {
			result.next();
			return result.getLong(1);
		}
	}

	/** A transfer between two different accounts, of 1 to {@code maxAmount}, with a fresh key. */
	static Transfer randomTransfer(Random random, List<UUID> accounts, int maxAmount) {
		int from = random.nextInt(accounts.size());
		int to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
		return new Transfer(UUID.randomUUID().toString(), accounts.get(from), accounts.get(to), 1 + random.nextInt(maxAmount));
	}

	record Transfer(String key, UUID from, UUID to, long amount) {
	}

	record Answer(String key, int status, String body, String id) {

		Answer(String key, int status, String body) {
			this(key, status, body, null);
		}

		Answer withId(String transactionId) {
			return new Answer(this.key, this.status, this.body, transactionId);
		}

	}

	/** An answer the client retries (409: the key's first request still in flight; 503: try again shortly). */
	static final class TryAgain extends RuntimeException {

		TryAgain() {
			super("try again", null, false, false);
		}

	}

}
