package io.scalarhub.account.contracts;

import io.scalarhub.test.ContractVerifierCalls;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The base of the tests generated from the contracts account-service keeps for its callers
 * (src/test/resources/contracts/(caller)/): the real service on a random port and a real database holding
 * the accounts the contracts name, called over HTTP with a real service token (ContractVerifierCalls).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ContractVerifierBase {

	/** Left open: the generated classes share one service (a cached context), which keeps its keys from here. */
	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("account_contracts");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@LocalServerPort
	int port;

	@BeforeEach
	void serviceUnderContract() {
		ContractVerifierCalls.to(this.port, issuer);
		// the contracts' accounts, in the tenant the contracts call for (before each test; the first inserts them); customer
		// ...01 has an open, a frozen and a closed one, customer ...03 none
		database.executeAsTenant(TestJwtIssuer.TENANT_A,
				"INSERT INTO account (id, customer_id, currency, name, status, created_at, updated_at) VALUES "
						+ "('a1000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'EUR', 'Main', 'OPEN', now(), now()), "
						+ "('a1000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'EUR', 'Savings', 'FROZEN', now(), now()), "
						+ "('a1000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001', 'EUR', 'Old', 'CLOSED', now(), now()) "
						+ "ON CONFLICT (id) DO NOTHING");
	}

}
