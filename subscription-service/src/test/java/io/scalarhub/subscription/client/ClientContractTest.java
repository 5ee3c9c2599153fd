package io.scalarhub.subscription.client;

import java.util.List;
import java.util.UUID;

import io.scalarhub.platform.client.DownstreamRejectedException;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.subscription.client.AccountClient.AccountView;
import io.scalarhub.subscription.client.CustomerClient.CustomerView;
import io.scalarhub.subscription.client.LedgerClient.ChargeView;
import io.scalarhub.subscription.client.ProductClient.ProductView;
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
 * subscription-service's clients against the stubs of the four services they call, generated from the
 * contracts those services keep for subscription-service ((service)/src/test/resources/contracts/
 * subscription-service/) and verify in their own builds. The stubs answer only a call with a bearer token
 * and the tenant header of the tenant the ids are in (any other call fails the test), so the client's whole
 * call is checked, not just its path; and the answers are the callees' real shapes, the ledger's refusals
 * included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClientContractTest {

	static final List<String> SERVICES = List.of("customer-service", "product-service", "account-service",
			"transaction-service");

	@RegisterExtension
	static final StubRunnerExtension stubs = ContractStubs.of("subscription-service",
			SERVICES.toArray(String[]::new));

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("subscription_clients"), issuer);
		for (String service : SERVICES) {
			registry.add("spring.cloud.discovery.client.simple.instances." + service + "[0].uri",
					() -> stubs.findStubUrl(service).toString());
		}
	}

	@AfterEach
	void everyCallMatchedAContract() {
		ContractStubs.assertEveryCallMatchedAContract(stubs, SERVICES.toArray(String[]::new));
	}

	@AfterAll
	static void stop() {
		issuer.close();
	}

	@Autowired
	CustomerClient customers;

	@Autowired
	ProductClient products;

	@Autowired
	AccountClient accounts;

	@Autowired
	LedgerClient ledger;

	@Test
	void anActiveCustomerIsActive() {
		CustomerView customer = asTenant(this.customers.customer(id("c0000000-0000-4000-8000-000000000001")));
		assertThat(customer.id()).isEqualTo(id("c0000000-0000-4000-8000-000000000001"));
		assertThat(customer.active()).isTrue();
	}

	@Test
	void aClosedCustomerIsNotActive() {
		assertThat(asTenant(this.customers.customer(id("c0000000-0000-4000-8000-000000000002"))).active()).isFalse();
	}

	@Test
	void aCustomerTheTenantDoesNotHaveIsEmpty() {
		assertThat(asTenant(this.customers.customer(id("c0000000-0000-4000-8000-000000000009")))).isNull();
	}

	@Test
	void aMonthlyProductHasItsPriceAndIsActiveAndRecurring() {
		ProductView product = asTenant(this.products.product(id("d0000000-0000-4000-8000-000000000001")));
		assertThat(product.price().amount()).isEqualTo(1500);
		assertThat(product.price().currency()).isEqualTo("EUR");
		assertThat(product.isActive()).isTrue();
		assertThat(product.recurring()).isTrue();
	}

	@Test
	void anInactiveProductIsNotActive() {
		ProductView product = asTenant(this.products.product(id("d0000000-0000-4000-8000-000000000002")));
		assertThat(product.isActive()).isFalse();
		assertThat(product.interval()).isEqualTo("YEAR");
	}

	@Test
	void aProductTheTenantDoesNotHaveIsEmpty() {
		assertThat(asTenant(this.products.product(id("d0000000-0000-4000-8000-000000000009")))).isNull();
	}

	@Test
	void anOpenAccountSaysWhoseItIsAndItsCurrency() {
		AccountView account = asTenant(this.accounts.account(id("a1000000-0000-4000-8000-000000000001")));
		assertThat(account.customerId()).isEqualTo(id("c0000000-0000-4000-8000-000000000001"));
		assertThat(account.currency()).isEqualTo("EUR");
		assertThat(account.status()).isEqualTo("OPEN");
	}

	@Test
	void anAccountTheTenantDoesNotHaveIsEmpty() {
		assertThat(asTenant(this.accounts.account(id("a1000000-0000-4000-8000-000000000009")))).isNull();
	}

	@Test
	void aChargeIsPosted() {
		ChargeView charge = asTenant(this.ledger.charge(id("f0000000-0000-4000-8000-000000000001"),
				id("e0000000-0000-4000-8000-000000000004"), 1500, "EUR", "Plan, period 1"));
		assertThat(charge.id()).isEqualTo(id("f0000000-0000-4000-8000-000000000001"));
		assertThat(charge.amount()).isEqualTo(1500);
		assertThat(charge.currency()).isEqualTo("EUR");
	}

	@Test
	void aChargeAskedForAgainIsTheChargePostedBefore() {
		ChargeView charge = asTenant(this.ledger.charge(id("f0000000-0000-4000-8000-000000000002"),
				id("e0000000-0000-4000-8000-000000000004"), 500, "EUR", "Plan, period 2"));
		assertThat(charge.id()).isEqualTo(id("f0000000-0000-4000-8000-000000000002"));
		assertThat(charge.amount()).isEqualTo(500);
	}

	@Test
	void aChargeToAnAccountWithoutEnoughMoneyIsRefusedAsInsufficientFunds() {
		assertThatThrownBy(() -> asTenant(this.ledger.charge(id("f0000000-0000-4000-8000-000000000003"),
				id("e0000000-0000-4000-8000-000000000005"), 1500, "EUR", "Plan, period 1")))
			.isInstanceOfSatisfying(DownstreamRejectedException.class, (refused) -> {
				assertThat(refused.status()).isEqualTo(422);
				assertThat(refused.type()).isEqualTo("https://scalarhub.io/problems/insufficient-funds");
			});
	}

	@Test
	void aChargeToAnAccountThatIsNotOpenIsRefusedAsNotOpen() {
		assertThatThrownBy(() -> asTenant(this.ledger.charge(id("f0000000-0000-4000-8000-000000000004"),
				id("e0000000-0000-4000-8000-000000000006"), 1500, "EUR", "Plan, period 1")))
			.isInstanceOfSatisfying(DownstreamRejectedException.class, (refused) -> {
				assertThat(refused.status()).isEqualTo(422);
				assertThat(refused.type()).isEqualTo("https://scalarhub.io/problems/account-not-open");
			});
	}

	@Test
	void aChargeIdAskedForOtherTermsIsAConflict() {
		assertThatThrownBy(() -> asTenant(this.ledger.charge(id("f0000000-0000-4000-8000-000000000002"),
				id("e0000000-0000-4000-8000-000000000004"), 700, "EUR", "Plan, period 2")))
			.isInstanceOfSatisfying(DownstreamRejectedException.class, (refused) -> {
				assertThat(refused.status()).isEqualTo(409);
				assertThat(refused.type()).isEqualTo("https://scalarhub.io/problems/account-state-conflict");
			});
	}

	/** The call as subscription-service makes it serving a request of tenant A, whose the contracts' ids are. */
	static <T> T asTenant(Mono<T> call) {
		return call.contextWrite(TenantScope.with(TestJwtIssuer.TENANT_A)).block();
	}

	static UUID id(String id) {
		return UUID.fromString(id);
	}

}
