package io.scalarhub.customer.contracts;

import io.scalarhub.test.ServiceUnderContract;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the tests generated from the contracts customer-service keeps for its callers
 * (src/test/resources/contracts/(caller)/): ServiceUnderContract (the real service on a random port, a real
 * database of its own, real service tokens) holding the customers the contracts name.
 */
public abstract class ContractVerifierBase extends ServiceUnderContract {

	@BeforeEach
	void contractsData() {
		// the contracts' customers, in the tenant the contracts call for (before each test; the first inserts them)
		database.executeAsTenant(TestJwtIssuer.TENANT_A,
				"INSERT INTO customer (id, name, email, status, created_at, updated_at) VALUES "
						+ "('c0000000-0000-4000-8000-000000000001', 'Active', 'active@contracts.test', 'ACTIVE', now(), now()), "
						+ "('c0000000-0000-4000-8000-000000000002', 'Closed', 'closed@contracts.test', 'CLOSED', now(), now()) "
						+ "ON CONFLICT (id) DO NOTHING");
	}

}
