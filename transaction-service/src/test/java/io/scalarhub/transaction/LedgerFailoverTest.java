package io.scalarhub.transaction;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.scalarhub.test.LocalCluster;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import io.scalarhub.transaction.BankLedger.Answer;
import io.scalarhub.transaction.BankLedger.Transfer;
import io.scalarhub.transaction.BankLedger.TryAgain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
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
 * The failover drill, with the bank test running through it: transfers flow among a few accounts, each retried
 * by its client with the same Idempotency-Key until it gets a final answer, while the PostgreSQL primary dies
 * (kill -9 of the node: Patroni and PostgreSQL, {@code infra.sh kill primary}). Patroni promotes the synchronous
 * replica once the dead primary's lock expires; HAProxy moves the primary port to it; the service reconnects
 * by itself. A reader polls a balance meanwhile. The bars: writes succeed again within 15 s of the kill with no
 * manual step, reads never fail, and nothing acknowledged is lost or done twice (money conserved, no balance negative, every balance the sum of its
 * entries, one transaction per acknowledged key, every acknowledged transaction in the ledger).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LedgerFailoverTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("ledger_failover");

	static final int ACCOUNTS = 4;

	static final long OPENING_BALANCE = 100_000;

	/** Transfers in flight at once. */
	static final int IN_FLIGHT = 8;

	/** Transfers acknowledged before the kill. */
	static final int WARM_UP_TRANSFERS = 40;

	static final Duration AFTER_RECOVERY = Duration.ofSeconds(3);

	/** New transfers stop this long after the kill even if writes never came back (the test then fails). */
	static final Duration GIVE_UP = Duration.ofSeconds(60);

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@AfterAll
	static void cleanUp() {
		issuer.close();
		// the killed node comes back as a replica of the new primary (pg_rewind), for the tests that follow
		LocalCluster.up();
	}

	@LocalServerPort
	int port;

	final JsonMapper json = JsonMapper.builder().build();

	@Test
	void aKilledPrimaryIsReplacedWithinFifteenSecondsAndNoAcknowledgedTransferIsLostOrDoneTwice() throws Exception {
		LedgerTestClient setup = new LedgerTestClient(this.port, issuer, "failover");
		List<UUID> accounts = BankLedger.openAccounts(setup, ACCOUNTS, OPENING_BALANCE);
		WebClient http = BankLedger.client(this.port, issuer, "failover", "transactions:write");

		AtomicLong killedAt = new AtomicLong();
		AtomicLong recoveredAt = new AtomicLong();
		Attempts attempts = new Attempts();
		BankLedger bank = new BankLedger();
		Random random = new Random(7);
		// new transfers keep coming until the writes have been back for a while; each is retried to a final answer
		CompletableFuture<List<Integer>> answers = Flux.<Transfer>generate((sink) -> {
			long recovered = recoveredAt.get();
			long killed = killedAt.get();
			if ((recovered != 0 && System.nanoTime() - recovered > AFTER_RECOVERY.toNanos())
					|| (killed != 0 && System.nanoTime() - killed > GIVE_UP.toNanos())) {
				sink.complete();
				return;
			}
			sink.next(BankLedger.randomTransfer(random, accounts, 50));
		})
			.flatMap((transfer) -> send(http, transfer, attempts, killedAt, recoveredAt), IN_FLIGHT)
			.doOnNext(bank::record)
			.map(Answer::status)
			.collectList()
			.toFuture();
		// a reader polls a balance all along: reads go on from the replica while the primary is gone
		AtomicInteger reads = new AtomicInteger();
		ConcurrentLinkedQueue<String> failedReads = new ConcurrentLinkedQueue<>();
		WebClient reader = BankLedger.client(this.port, issuer, "failover-reader", "accounts:read");
		Disposable reading = Flux.interval(Duration.ofMillis(20))
			.onBackpressureDrop()
			.concatMap((tick) -> reader.get()
				.uri("/v1/accounts/{id}/balance", accounts.get(0))
				.exchangeToMono((response) -> response.bodyToMono(String.class)
					.defaultIfEmpty("")
					.map((body) -> response.statusCode().value() + " " + body))
				.onErrorResume((error) -> Mono.just("no answer: " + error)), 1)
			.subscribe((answer) -> {
				reads.incrementAndGet();
				if (!answer.startsWith("200 ")) {
					failedReads.add(answer);
				}
			});
		// the kill comes once transfers flow; then the stream goes on by itself until writes have been back a while
		Polling.until(Duration.ofSeconds(30), "transfers to flow", () -> bank.acknowledgedKeys() >= WARM_UP_TRANSFERS);
		LocalCluster.kill("primary");
		killedAt.set(System.nanoTime());
		List<Integer> finalStatuses = answers.get(3, TimeUnit.MINUTES);
		reading.dispose();

		assertThat(killedAt.get()).as("the primary was killed").isNotZero();
		assertThat(recoveredAt.get()).as("writes came back").isNotZero();
		Duration outage = Duration.ofNanos(recoveredAt.get() - killedAt.get());
		System.out.printf("failover drill: %d transfers, %d attempts (%d answered 503), writes back %d ms after the kill;"
				+ " %d reads, %d failed %s%n", finalStatuses.size(), attempts.total.get(), attempts.unavailable.get(),
				outage.toMillis(), reads.get(), failedReads.size(), failedReads.stream().limit(3).toList());
		assertThat(outage).as("writes succeed again without a manual step").isLessThanOrEqualTo(Duration.ofSeconds(15));
		assertThat(attempts.unavailable.get()).as("the outage was seen (else the kill did not happen)").isPositive();
		assertThat(reads.get()).as("the reader kept reading").isGreaterThan(100);
		assertThat(failedReads).as("reads never fail: the replica serves them, then the new primary").isEmpty();
		assertThat(finalStatuses).as("every transfer got a final answer").allMatch((status) -> status == 201 || status == 422);
		assertThat(attempts.other).as("no answer but 201, 422, 409 (key in flight) and 503 (retry)").isEmpty();
		bank.assertInvariants(database, ACCOUNTS * OPENING_BALANCE);
	}

	/**
	 * A client that retries with the same key: 503 (the database is failing over) and 409 (the key's earlier
	 * attempt still in flight) are retried with backoff; anything else is final. The first 201 to an attempt
	 * begun after the kill marks the writes' recovery.
	 */
	private Mono<Answer> send(WebClient http, Transfer transfer, Attempts attempts, AtomicLong killedAt, AtomicLong recoveredAt) {
		return Mono.defer(() -> {
			long attemptStarted = System.nanoTime();
			attempts.total.incrementAndGet();
			return http.post()
				.uri("/v1/transactions")
				.header("Idempotency-Key", transfer.key())
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(LedgerTestClient.transfer(transfer.from(), transfer.to(), transfer.amount()))
				.exchangeToMono((response) -> response.bodyToMono(String.class)
					.defaultIfEmpty("")
					.map((body) -> new Answer(transfer.key(), response.statusCode().value(), body)))
				.doOnNext((answer) -> {
					long killed = killedAt.get();
					if (answer.status() == 201 && killed != 0 && attemptStarted > killed) {
						recoveredAt.compareAndSet(0, System.nanoTime());
					}
					if (answer.status() == 503) {
						attempts.unavailable.incrementAndGet();
					}
					else if (answer.status() != 201 && answer.status() != 422 && answer.status() != 409) {
						attempts.other.add(answer.status() + " " + answer.body());
					}
				});
		})
			.flatMap((answer) -> (answer.status() == 409 || answer.status() == 503) ? Mono.error(new TryAgain())
					: Mono.just(answer))
			.retryWhen(Retry.backoff(200, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
				.filter(TryAgain.class::isInstance))
			.map((answer) -> answer.withId(answer.status() == 201 ? this.json.readTree(answer.body()).get("id").asString() : null));
	}

	/** What the attempts met on the way. */
	static final class Attempts {

		final AtomicInteger total = new AtomicInteger();

		final AtomicInteger unavailable = new AtomicInteger();

		final ConcurrentLinkedQueue<String> other = new ConcurrentLinkedQueue<>();

	}

}
