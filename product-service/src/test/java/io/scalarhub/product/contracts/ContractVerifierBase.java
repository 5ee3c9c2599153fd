package io.scalarhub.product.contracts;

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
 * The base of the tests generated from the contracts product-service keeps for its callers
 * (src/test/resources/contracts/(caller)/): the real service on a random port and a real database holding
 * the products the contracts name, called over HTTP with a real service token (ContractVerifierCalls).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ContractVerifierBase {

	/** Left open: the generated classes share one service (a cached context), which keeps its keys from here. */
	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("product_contracts");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@LocalServerPort
	int port;

	@BeforeEach
	void serviceUnderContract() {
		ContractVerifierCalls.to(this.port, issuer);
		// the contracts' products, in the tenant the contracts call for (before each test; the first inserts them)
		database.executeAsTenant(TestJwtIssuer.TENANT_A,
				"INSERT INTO product (id, sku, name, price_amount, price_currency, billing_interval, active, created_at, "
						+ "updated_at) VALUES "
						+ "('d0000000-0000-4000-8000-000000000001', 'CONTRACT-MONTHLY', 'Monthly', 1500, 'EUR', 'MONTH', true, now(), now()), "
						+ "('d0000000-0000-4000-8000-000000000002', 'CONTRACT-YEARLY', 'Yearly', 9900, 'EUR', 'YEAR', false, now(), now()) "
						+ "ON CONFLICT (id) DO NOTHING");
	}

}
