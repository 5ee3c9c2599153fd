package io.scalarhub.test;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;

import org.springframework.http.HttpHeaders;

/**
 * Where the tests that Spring Cloud Contract generates from a service's contracts send their calls (they use
 * rest-assured's static configuration), and with what token. A contract cannot hold a signed token that stays
 * valid, so it says {@code Bearer service-token} (and the callers' stubs accept any bearer token); the
 * verifier replaces it with a real service token of the test issuer (scope internal, no tenant claim), which
 * the service checks as it checks auth-server's. The tenant header stays the contract's own.
 */
public final class ContractVerifierCalls {

	private ContractVerifierCalls() {
	}

	/** Sends the generated tests' calls to the service on {@code port}, with a fresh service token of {@code issuer}. */
	public static void to(int port, TestJwtIssuer issuer) {
		RestAssured.baseURI = "http://localhost";
		RestAssured.port = port;
		Filter serviceToken = (request, response, context) -> {
			request.replaceHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.serviceToken("contract-verifier"));
			return context.next(request, response);
		};
		RestAssured.replaceFiltersWith(serviceToken);
	}

}
