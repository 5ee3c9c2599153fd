package io.scalarhub.transaction.contracts;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.test.ServiceUnderContract;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.transaction.domain.AccountStatus;
import io.scalarhub.transaction.domain.Ledger;
import io.scalarhub.transaction.domain.NewTransaction;
import io.scalarhub.transaction.domain.TransactionType;
import org.junit.jupiter.api.BeforeEach;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;

/**
 * The base of the tests generated from the contracts the ledger keeps for its callers
 * (src/test/resources/contracts/(caller)/): ServiceUnderContract (the real service on a random port, a real
 * database of its own, real service tokens). The ledger accounts and the charge the contracts name are made by the
 * ledger itself (its own postings, not rows written around it), once.
 */
public abstract class ContractVerifierBase extends ServiceUnderContract {

	/** Deposits and charges are not idempotent: the ledger is set up once for all the generated tests. */
	static final AtomicBoolean ledgerSetUp = new AtomicBoolean();

	@Autowired
	Ledger ledger;

	@BeforeEach
	void contractsData() {
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
			.then(Mono.defer(() -> this.ledger.post(
				this.ledger.prepare(new NewTransaction(TransactionType.DEPOSIT, amount, "EUR", null, account, "Contract")))));
	}

	private static UUID account(int n) {
		return UUID.fromString("e0000000-0000-4000-8000-00000000000" + n);
	}

}
