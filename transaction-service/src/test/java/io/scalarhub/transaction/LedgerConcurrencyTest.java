package io.scalarhub.transaction;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import io.scalarhub.transaction.BankLedger.Answer;
import io.scalarhub.transaction.BankLedger.Transfer;
import io.scalarhub.transaction.BankLedger.TryAgain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
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
		List<UUID> accounts = BankLedger.openAccounts(setup, ACCOUNTS, OPENING_BALANCE);
		WebClient http = BankLedger.client(this.port, issuer, "bank", "transactions:write");
		Random random = new Random(42);
		List<Transfer> transfers = new ArrayList<>();
		for (int i = 0; i < TRANSFERS; i++) {
			transfers.add(BankLedger.randomTransfer(random, accounts, 400));
		}

		BankLedger bank = new BankLedger();
		List<Integer> statuses = Flux.fromIterable(transfers)
			.flatMap((transfer) -> Flux.merge(send(http, transfer), send(http, transfer)), WRITERS / 2)
			.doOnNext(bank::record)
			.map(Answer::status)
			.collectList()
			.block(Duration.ofMinutes(3));

		assertThat(statuses).hasSize(2 * TRANSFERS).allMatch((status) -> status == 201 || status == 422);
		Set<String> acknowledged = bank.assertInvariants(database, ACCOUNTS * OPENING_BALANCE);
		assertThat(BankLedger.singleAsTenant(database, "SELECT count(*) FROM idempotency_key WHERE client_id = 'bank'"))
			.as("one key per acknowledged transfer and per opening deposit")
			.isEqualTo(acknowledged.size() + ACCOUNTS);
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
			.flatMap((answer) -> (answer.status() == 409) ? Mono.error(new TryAgain()) : Mono.just(answer))
			.retryWhen(Retry.backoff(50, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(100)).filter(TryAgain.class::isInstance))
			.map((answer) -> answer.withId(answer.status() == 201 ? this.json.readTree(answer.body()).get("id").asString() : null));
	}

}
