package io.scalarhub.account.client;

import java.util.List;
import java.util.UUID;

import io.scalarhub.account.client.CustomerClient.CustomerStatusView;
import io.scalarhub.account.client.LedgerClient.LedgerAccountView;
import io.scalarhub.account.domain.AccountStatus;
import io.scalarhub.platform.client.DownstreamRejectedException;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.test.ContractStubs;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.contract.stubrunner.junit.StubRunnerExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * account-service's clients against the stubs of the services they call, generated from the contracts those
 * services keep for account-service (customer-service/ and transaction-service/src/test/resources/contracts/
 * account-service/) and verify in their own builds. The stubs answer only a call with a bearer token and the
 * tenant header of the tenant the ids are in (anything else is WireMock's 404, and fails the test), so the client's whole call is
 * checked, not just its path; and the answers are the callee's real shapes, errors included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClientContractTest {

	@RegisterExtension
	static final StubRunnerExtension stubs = ContractStubs.of("account-service", "customer-service",
			"transaction-service");

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("account_clients"), issuer);
		for (String service : List.of("customer-service", "transaction-service")) {
			registry.add("spring.cloud.discovery.client.simple.instances." + service + "[0].uri",
					() -> stubs.findStubUrl(service).toString());
		}
	}

	@AfterEach
	void everyCallMatchedAContract() {
		ContractStubs.assertEveryCallMatchedAContract(stubs, "customer-service", "transaction-service");
	}

	@AfterAll
	static void stop() {
		issuer.close();
	}

	@Autowired
	CustomerClient customers;

	@Autowired
	LedgerClient ledger;

	@Test
	void anActiveCustomerIsActive() {
		CustomerStatusView customer = asTenant(this.customers.status(id("c0000000-0000-4000-8000-000000000001")));
		assertThat(customer.id()).isEqualTo(id("c0000000-0000-4000-8000-000000000001"));
		assertThat(customer.active()).isTrue();
	}

	@Test
	void aClosedCustomerIsNotActive() {
		assertThat(asTenant(this.customers.status(id("c0000000-0000-4000-8000-000000000002"))).active()).isFalse();
	}

	@Test
	void aCustomerTheTenantDoesNotHaveIsEmpty() {
		assertThat(asTenant(this.customers.status(id("c0000000-0000-4000-8000-000000000009")))).isNull();
	}

	@Test
	void registeringAnAccountInTheLedgerAnswersItOpenAtZero() {
		LedgerAccountView account = asTenant(this.ledger.register(id("e0000000-0000-4000-8000-000000000001"), "EUR"));
		assertThat(account.id()).isEqualTo(id("e0000000-0000-4000-8000-000000000001"));
		assertThat(account.currency()).isEqualTo("EUR");
		assertThat(account.status()).isEqualTo("OPEN");
		assertThat(account.balance()).isZero();
		assertThat(account.updatedAt()).isNotNull();
	}

	@Test
	void registeringAnAccountTheLedgerHoldsInAnotherCurrencyIsTheLedgersConflict() {
		assertThatThrownBy(() -> asTenant(this.ledger.register(id("e0000000-0000-4000-8000-000000000003"), "USD")))
			.isInstanceOfSatisfying(DownstreamRejectedException.class, (refused) -> {
				assertThat(refused.status()).isEqualTo(409);
				assertThat(refused.type()).isEqualTo("https://scalarhub.io/problems/account-state-conflict");
			});
	}

	@Test
	void freezingAnAccountInTheLedgerAnswersItFrozen() {
		LedgerAccountView account = asTenant(
				this.ledger.changeStatus(id("e0000000-0000-4000-8000-000000000002"), AccountStatus.FROZEN));
		assertThat(account.status()).isEqualTo("FROZEN");
	}

	@Test
	void closingAnAccountThatHoldsMoneyIsTheLedgersConflict() {
		assertThatThrownBy(() -> asTenant(
				this.ledger.changeStatus(id("e0000000-0000-4000-8000-000000000003"), AccountStatus.CLOSED)))
			.isInstanceOfSatisfying(DownstreamRejectedException.class, (refused) -> {
				assertThat(refused.status()).isEqualTo(409);
				assertThat(refused.type()).isEqualTo("https://scalarhub.io/problems/account-state-conflict");
			});
	}

	@Test
	void anAccountsBalanceComesFromTheLedger() {
		LedgerAccountView account = asTenant(this.ledger.account(id("e0000000-0000-4000-8000-000000000003")));
		assertThat(account.balance()).isEqualTo(5000);
		assertThat(account.status()).isEqualTo("OPEN");
	}

	@Test
	void anAccountTheLedgerDoesNotKnowIsEmpty() {
		assertThat(asTenant(this.ledger.account(id("e0000000-0000-4000-8000-000000000009")))).isNull();
	}

	@Test
	void aPageOfAccountsGetsTheBalancesTheLedgerKnows() {
		List<LedgerAccountView> accounts = asTenant(this.ledger.accounts(
				List.of(id("e0000000-0000-4000-8000-000000000003"), id("e0000000-0000-4000-8000-000000000009"))));
		assertThat(accounts).extracting(LedgerAccountView::id).containsExactly(id("e0000000-0000-4000-8000-000000000003"));
		assertThat(accounts.get(0).balance()).isEqualTo(5000);
	}

	/** The call as account-service makes it serving a request of tenant A, whose the contracts' ids are. */
	static <T> T asTenant(Mono<T> call) {
		return call.contextWrite(TenantScope.with(TestJwtIssuer.TENANT_A)).block();
	}

	static UUID id(String id) {
		return UUID.fromString(id);
	}

}
