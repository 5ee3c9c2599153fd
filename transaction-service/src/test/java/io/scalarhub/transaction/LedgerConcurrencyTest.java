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
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bank test: many concurrent transfers among a few accounts, in both directions, 64 requests in flight,
 * every request sent twice at once with the same key (a client retrying), 409s retried until answered. Afterwards, read
 * straight from the database: money conserved, no balance negative, every balance the sum of its entries,
 * each key posted at most once, every acknowledged transaction in the ledger, and no 5xx on the way
 * (without the ordered row locks, concurrent postings deadlock or trip the balance constraint).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LedgerConcurrencyTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("ledger_bank");

	static final int ACCOUNTS = 4;

	static final long OPENING_BALANCE = 1_000;

	static final int TRANSFERS = 300;

	/** Requests in flight at once: 32 transfers, each sent twice with its key. */
	static final int WRITERS = 64;

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

	final JsonMapper json = JsonMapper.builder().build();

	@Test
	void concurrentTransfersWithRetriesKeepEveryInvariant() throws SQLException {
		LedgerTestClient setup = new LedgerTestClient(this.port, issuer, "bank");
		List<UUID> accounts = new ArrayList<>();
		for (int i = 0; i < ACCOUNTS; i++) {
			UUID account = setup.openAccount("EUR");
			setup.deposit(account, OPENING_BALANCE);
			accounts.add(account);
		}
		WebClient http = WebClient.builder()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("bank", "transactions:write"))
			.build();
		Random random = new Random(42);
		List<Transfer> transfers = new ArrayList<>();
		for (int i = 0; i < TRANSFERS; i++) {
			int from = random.nextInt(ACCOUNTS);
			int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
			transfers.add(new Transfer(UUID.randomUUID().toString(), accounts.get(from), accounts.get(to),
					1 + random.nextInt(400)));
		}

		Map<String, Set<String>> acknowledgedIdsByKey = new ConcurrentHashMap<>();
		List<Integer> statuses = Flux.fromIterable(transfers)
			.flatMap((transfer) -> Flux.merge(send(http, transfer), send(http, transfer)), WRITERS / 2)
			.doOnNext((answer) -> {
				if (answer.status() == 201) {
					acknowledgedIdsByKey.computeIfAbsent(answer.key(), (key) -> ConcurrentHashMap.newKeySet()).add(answer.id());
				}
			})
			.map(Answer::status)
			.collectList()
			.block(Duration.ofMinutes(3));

		assertThat(statuses).hasSize(2 * TRANSFERS).allMatch((status) -> status == 201 || status == 422);
		assertThat(acknowledgedIdsByKey.values()).as("a key's answers name one transaction").allMatch((ids) -> ids.size() == 1);
		Set<String> acknowledged = acknowledgedIdsByKey.values().stream().flatMap(Set::stream).collect(Collectors.toSet());

		try (Connection db = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
				Statement sql = db.createStatement()) {
			// row-level security shows nothing without a tenant: read as the tenant the bank's client belongs to
			sql.execute("SET scalarhub.tenant_id = '" + TestJwtIssuer.TENANT_A + "'");
			assertThat(single(sql, "SELECT sum(balance) FROM ledger_account")).as("money conserved")
				.isEqualTo(ACCOUNTS * OPENING_BALANCE);
			assertThat(single(sql, "SELECT count(*) FROM ledger_account WHERE balance < 0")).isZero();
			assertThat(single(sql, "SELECT count(*) FROM ledger_account a WHERE balance <> "
					+ "(SELECT coalesce(sum(amount), 0) FROM ledger_entry e WHERE e.account_id = a.id)"))
				.as("every balance is the sum of its entries")
				.isZero();
			assertThat(single(sql, "SELECT count(*) FROM ledger_transaction WHERE type = 'TRANSFER'"))
				.as("one transaction per acknowledged key, none for refused ones")
				.isEqualTo(acknowledged.size());
			assertThat(single(sql, "SELECT count(*) FROM ledger_transaction WHERE id IN ("
					+ acknowledged.stream().map((id) -> "'" + id + "'").collect(Collectors.joining(",")) + ")"))
				.as("every acknowledged transaction is in the ledger")
				.isEqualTo(acknowledged.size());
			assertThat(single(sql, "SELECT count(*) FROM idempotency_key WHERE client_id = 'bank'"))
				.isEqualTo(acknowledged.size() + ACCOUNTS);
		}
	}

	/** One client attempt, retrying while the key's first request is still in flight (409). */
	private Mono<Answer> send(WebClient http, Transfer transfer) {
		return http.post()
			.uri("/v1/transactions")
			.header("Idempotency-Key", transfer.key())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(LedgerTestClient.transfer(transfer.from(), transfer.to(), transfer.amount()))
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> new Answer(transfer.key(), response.statusCode().value(), body)))
			.flatMap((answer) -> (answer.status() == 409) ? Mono.error(new InFlight()) : Mono.just(answer))
			.retryWhen(Retry.backoff(50, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(100)).filter(InFlight.class::isInstance))
			.map((answer) -> answer.withId(answer.status() == 201 ? this.json.readTree(answer.body()).get("id").asString() : null));
	}

	private static long single(Statement sql, String query) throws SQLException {
		try (ResultSet result = sql.executeQuery(query)) {
			result.next();
			return result.getLong(1);
		}
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

	static final class InFlight extends RuntimeException {

		InFlight() {
			super("in flight", null, false, false);
		}

	}

}
