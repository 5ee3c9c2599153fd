package io.scalarhub.account.domain;

import java.util.UUID;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;

import org.springframework.http.HttpStatus;

/** The account-specific refusals a client can branch on. */
final class AccountProblems {

	static final String CUSTOMER_NOT_FOUND = ProblemTypes.BASE + "customer-not-found";

	static final String CUSTOMER_NOT_ACTIVE = ProblemTypes.BASE + "customer-not-active";

	static final String ACCOUNT_STATE_CONFLICT = ProblemTypes.BASE + "account-state-conflict";

	private AccountProblems() {
	}

	static ApiProblem customerNotFound(UUID customerId) {
		return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, CUSTOMER_NOT_FOUND, "Customer not found",
				"No customer with id " + customerId + ".");
	}

	static ApiProblem customerNotActive(UUID customerId) {
		return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, CUSTOMER_NOT_ACTIVE, "Customer not active",
				"Customer " + customerId + " is closed; accounts can only be opened for active customers.");
	}

	static ApiProblem closed(UUID id) {
		return ApiProblem.conflict(ACCOUNT_STATE_CONFLICT, "Account " + id + " is closed for good.");
	}

	static ApiProblem notFound(UUID id) {
		return ApiProblem.notFound("account", id);
	}

}
