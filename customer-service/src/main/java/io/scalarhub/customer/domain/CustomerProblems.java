package io.scalarhub.customer.domain;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;

/** The customer-specific failures a client can branch on. */
final class CustomerProblems {

	static final String EMAIL_TAKEN = ProblemTypes.BASE + "email-taken";

	static final String CUSTOMER_CLOSED = ProblemTypes.BASE + "customer-closed";

	private CustomerProblems() {
	}

	static ApiProblem emailTaken() {
		return ApiProblem.conflict(EMAIL_TAKEN, "A customer with this email already exists.");
	}

	static ApiProblem closed() {
		return ApiProblem.conflict(CUSTOMER_CLOSED, "The customer is closed and can no longer be changed.");
	}

	static ApiProblem notFound(Object id) {
		return ApiProblem.notFound("customer", id);
	}

}
