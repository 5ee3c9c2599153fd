package io.scalarhub.transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger's internal charge ({@code PUT /internal/ledger/charges/{chargeId}}), which subscription-service
 * bills through: one id posts at most once, whoever asks, however often and however concurrently.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LedgerChargeTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("ledger_charge"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@LocalServerPort
	int port;

	LedgerTestClient ledger;

	/** subscription-service billing the API client's tenant: its own token, the tenant named in the header. */
	WebTestClient billing;

	@BeforeEach
	void client() {
		this.ledger = new LedgerTestClient(this.port, issuer, "charge-test");
		this.billing = this.ledger.service("subscription-service");
	}

	WebTestClient.ResponseSpec charge(UUID chargeId, UUID account, long amount, String currency) {
		return this.billing.put()
			.uri("/internal/ledger/charges/{id}", chargeId)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"accountId\":\"" + account + "\",\"amount\":" + amount + ",\"currency\":\"" + currency
					+ "\",\"description\":\"Subscription period\"}")
			.exchange();
	}

	@Test
	void aChargeIsPostedOnceAndAskingAgainAnswersThePostedOne() {
		UUID account = this.ledger.openAccount("EUR");
		this.ledger.deposit(account, 1000);
		UUID chargeId = UUID.randomUUID();
		charge(chargeId, account, 300, "EUR").expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.id").isEqualTo(chargeId.toString())
			.jsonPath("$.type").isEqualTo("WITHDRAWAL")
			.jsonPath("$.sourceAccountId").isEqualTo(account.toString());
		charge(chargeId, account, 300, "EUR").expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(chargeId.toString());
		// another caller asking for the same charge changes nothing either: the id is the key, not the caller
		this.ledger.service("another-service").put()
			.uri("/internal/ledger/charges/{id}", chargeId)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"accountId\":\"" + account + "\",\"amount\":300,\"currency\":\"EUR\"}")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(this.ledger.balance(account)).isEqualTo(700);
		this.ledger.http.get().uri("/v1/transactions/{id}", chargeId).exchange().expectStatus().isOk();
	}

	@Test
	void theSameIdWithOtherTermsIs409AndChargesNothing() {
		UUID account = this.ledger.openAccount("EUR");
		this.ledger.deposit(account, 1000);
		UUID chargeId = UUID.randomUUID();
		charge(chargeId, account, 300, "EUR").expectStatus().isCreated();
		charge(chargeId, account, 301, "EUR").expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/account-state-conflict");
		assertThat(this.ledger.balance(account)).isEqualTo(700);
	}

	@Test
	void refusalsAre422AndARefusedChargeMayBeAskedAgainLater() {
		UUID account = this.ledger.openAccount("EUR");
		UUID usd = this.ledger.openAccount("USD");
		UUID chargeId = UUID.randomUUID();
		charge(chargeId, account, 300, "EUR").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/insufficient-funds");
		charge(UUID.randomUUID(), usd, 1, "EUR").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/currency-mismatch");
		charge(UUID.randomUUID(), UUID.randomUUID(), 1, "EUR").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/account-not-found");
		// funds arrive: the same charge now goes through, once
		this.ledger.deposit(account, 500);
		charge(chargeId, account, 300, "EUR").expectStatus().isCreated();
		assertThat(this.ledger.balance(account)).isEqualTo(200);
	}

	@Test
	void concurrentRequestsForOneChargePostItOnce() {
		UUID account = this.ledger.openAccount("EUR");
		this.ledger.deposit(account, 10_000);
		UUID chargeId = UUID.randomUUID();
		List<CompletableFuture<Integer>> requests = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			requests.add(CompletableFuture.supplyAsync(() -> charge(chargeId, account, 100, "EUR").returnResult(String.class)
				.getStatus()
				.value()));
		}
		List<Integer> statuses = requests.stream().map(CompletableFuture::join).toList();
		assertThat(statuses).containsOnly(200, 201);
		assertThat(statuses).filteredOn((status) -> status == 201).hasSize(1);
		assertThat(this.ledger.balance(account)).isEqualTo(9_900);
	}

}
