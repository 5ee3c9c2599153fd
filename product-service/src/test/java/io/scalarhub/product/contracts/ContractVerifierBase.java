package io.scalarhub.product.contracts;

import io.scalarhub.test.ServiceUnderContract;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the tests generated from the contracts product-service keeps for its callers
 * (src/test/resources/contracts/(caller)/): ServiceUnderContract (the real service on a random port, a real
 * database of its own, real service tokens) holding the products the contracts name.
 */
public abstract class ContractVerifierBase extends ServiceUnderContract {

	@BeforeEach
	void contractsData() {
		// the contracts' products, in the tenant the contracts call for (before each test; the first inserts them)
		database.executeAsTenant(TestJwtIssuer.TENANT_A,
				"INSERT INTO product (id, sku, name, price_amount, price_currency, billing_interval, active, created_at, "
						+ "updated_at) VALUES "
						+ "('d0000000-0000-4000-8000-000000000001', 'CONTRACT-MONTHLY', 'Monthly', 1500, 'EUR', 'MONTH', true, now(), now()), "
						+ "('d0000000-0000-4000-8000-000000000002', 'CONTRACT-YEARLY', 'Yearly', 9900, 'EUR', 'YEAR', false, now(), now()) "
						+ "ON CONFLICT (id) DO NOTHING");
	}

}
