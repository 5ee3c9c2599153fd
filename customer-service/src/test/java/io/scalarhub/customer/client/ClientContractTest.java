package io.scalarhub.customer.client;

import java.util.List;
import java.util.UUID;

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

/**
 * customer-service's clients against the stubs of the services they call, generated from the contracts those
 * services keep for customer-service (account-service/ and subscription-service/src/test/resources/contracts/
 * customer-service/) and verify in their own builds. The stubs answer only a call with a bearer token and the
 * tenant header of the tenant the ids are in (any other call fails the test), so the client's whole call is checked, not just its path.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClientContractTest {

	@RegisterExtension
	static final StubRunnerExtension stubs = ContractStubs.of("customer-service", "account-service",
			"subscription-service");

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_clients"), issuer);
		for (String service : List.of("account-service", "subscription-service")) {
			registry.add("spring.cloud.discovery.client.simple.instances." + service + "[0].uri",
					() -> stubs.findStubUrl(service).toString());
		}
	}

	@AfterEach
	void everyCallMatchedAContract() {
		ContractStubs.assertEveryCallMatchedAContract(stubs, "account-service", "subscription-service");
	}

	@AfterAll
	static void stop() {
		issuer.close();
	}

	@Autowired
	AccountClient accounts;

	@Autowired
	SubscriptionClient subscriptions;

	@Test
	void aCustomerWithAccountsThatAreNotClosedHasThemCounted() {
		assertThat(asTenant(this.accounts.notClosedAccounts(id("c0000000-0000-4000-8000-000000000001")))).isEqualTo(2);
	}

	@Test
	void aCustomerWithoutAccountsHasNone() {
		assertThat(asTenant(this.accounts.notClosedAccounts(id("c0000000-0000-4000-8000-000000000003")))).isZero();
	}

	@Test
	void aCustomerWithSubscriptionsThatAreNotCanceledHasThemCounted() {
		assertThat(asTenant(this.subscriptions.activeSubscriptions(id("c0000000-0000-4000-8000-000000000001"))))
			.isEqualTo(2);
	}

	@Test
	void aCustomerWithoutSubscriptionsHasNone() {
		assertThat(asTenant(this.subscriptions.activeSubscriptions(id("c0000000-0000-4000-8000-000000000003"))))
			.isZero();
	}

	/** The call as customer-service makes it serving a request of tenant A, whose the contracts' ids are. */
	static <T> T asTenant(Mono<T> call) {
		return call.contextWrite(TenantScope.with(TestJwtIssuer.TENANT_A)).block();
	}

	static UUID id(String id) {
		return UUID.fromString(id);
	}

}
