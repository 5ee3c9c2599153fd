package io.scalarhub.account.contracts;

import io.scalarhub.test.ServiceUnderContract;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the tests generated from the contracts account-service keeps for its callers
 * (src/test/resources/contracts/(caller)/): ServiceUnderContract (the real service on a random port, a real
 * database of its own, real service tokens) holding the accounts the contracts name.
 */
public abstract class ContractVerifierBase extends ServiceUnderContract {

	@BeforeEach
	void contractsData() {
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
