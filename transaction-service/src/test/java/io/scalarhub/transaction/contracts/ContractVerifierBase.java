package io.scalarhub.transaction.contracts;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.test.ContractVerifierCalls;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import io.scalarhub.transaction.domain.AccountStatus;
import io.scalarhub.transaction.domain.Ledger;
import io.scalarhub.transaction.domain.NewTransaction;
import io.scalarhub.transaction.domain.TransactionType;
import org.junit.jupiter.api.BeforeEach;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The base of the tests generated from the contracts the ledger keeps for its callers
 * (src/test/resources/contracts/(caller)/): the real service on a random port and a real database, called
 * over HTTP with a real service token (ContractVerifierCalls). The ledger accounts and the charge the
 * contracts name are made by the ledger itself (its own postings, not rows written around it), once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ContractVerifierBase {

	/** Left open: the generated classes share one service (a cached context), which keeps its keys from here. */
	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("transaction_contracts");

	/** Deposits and charges are not idempotent: the ledger is set up once for all the generated tests. */
	static final AtomicBoolean ledgerSetUp = new AtomicBoolean();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@LocalServerPort
	int port;

	@Autowired
	Ledger ledger;

	@BeforeEach
	void serviceUnderContract() {
		ContractVerifierCalls.to(this.port, issuer);
		if (ledgerSetUp.compareAndSet(false, true)) {
			// ...02 open at zero (to freeze); ...03 holding 5000 in EUR (not closable); ...04 holding 5000, charged
			// 500 by charge ...f2 (asked again, and for other terms); ...05 at zero (insufficient funds); ...06
			// frozen, holding 5000 (not open)
			Mono.when(this.ledger.register(account(2), "EUR"), this.ledger.register(account(5), "EUR"))
				.then(deposit(account(3), 5000))
				.then(deposit(account(6), 5000))
				.then(this.ledger.changeStatus(account(6), AccountStatus.FROZEN))
				.then(deposit(account(4), 5000))
				.then(this.ledger.charge(UUID.fromString("f0000000-0000-4000-8000-000000000002"), account(4), 500, "EUR",
						"Plan, period 2"))
				.contextWrite(TenantScope.with(TestJwtIssuer.TENANT_A))
				.block();
		}
	}

	private Mono<?> deposit(UUID account, long amount) {
		return this.ledger.register(account, "EUR")
			.then(this.ledger.post(new NewTransaction(TransactionType.DEPOSIT, amount, "EUR", null, account, "Contract")));
	}

	private static UUID account(int n) {
		return UUID.fromString("e0000000-0000-4000-8000-00000000000" + n);
	}

}
