package io.scalarhub.test;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What every service's contract verification runs on (its {@code ContractVerifierBase}, which Spring Cloud Contract's
 * generated tests extend, extends this): the real service on a random port and a real database of its own, called
 * over HTTP with a real service token (ContractVerifierCalls). The service's base adds the rows its contracts name.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServiceUnderContract {

	/** Left open: the generated classes share one service (a cached context), which keeps its keys from here. */
	protected static final TestJwtIssuer issuer = new TestJwtIssuer();

	/** One per test JVM: a module's generated tests all run in its one. */
	protected static final TestPostgres.Database database = TestPostgres.createDatabase("contracts");

	@DynamicPropertySource
	static void serviceUnderContract(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@LocalServerPort
	private int port;

	/** Runs before the service's own {@code @BeforeEach} (JUnit runs a superclass's first). */
	@BeforeEach
	void callTheServiceUnderContract() {
		ContractVerifierCalls.to(this.port, issuer);
	}

}
