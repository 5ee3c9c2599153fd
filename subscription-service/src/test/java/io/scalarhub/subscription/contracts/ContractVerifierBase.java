package io.scalarhub.subscription.contracts;

import io.scalarhub.test.ServiceUnderContract;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the tests generated from the contracts subscription-service keeps for its callers
 * (src/test/resources/contracts/(caller)/): ServiceUnderContract (the real service on a random port, a real
 * database of its own, real service tokens) holding the subscriptions the contracts count.
 */
public abstract class ContractVerifierBase extends ServiceUnderContract {

	@BeforeEach
	void contractsData() {
		// the contracts' subscriptions, in the tenant the contracts call for (before each test; the first inserts them);
		// customer ...01 has an active, a past-due and a canceled one, customer ...03 none. Their periods end
		// long after the test, so that no billing run would pick them up.
		database.executeAsTenant(TestJwtIssuer.TENANT_A,
				"INSERT INTO subscription (id, customer_id, product_id, account_id, status, price_amount, currency, "
						+ "billing_interval, period_number, current_period_start, current_period_end, canceled_at, "
						+ "created_at, updated_at) VALUES "
						+ row("51000000-0000-4000-8000-000000000001", "ACTIVE", "NULL") + ", "
						+ row("51000000-0000-4000-8000-000000000002", "PAST_DUE", "NULL") + ", "
						+ row("51000000-0000-4000-8000-000000000003", "CANCELED", "now()")
						+ " ON CONFLICT (id) DO NOTHING");
	}

	private static String row(String id, String status, String canceledAt) {
		return "('" + id + "', 'c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', "
				+ "'a1000000-0000-4000-8000-000000000001', '" + status + "', 1500, 'EUR', 'MONTH', 1, now(), "
				+ "now() + interval '30 days', " + canceledAt + ", now(), now())";
	}

}
