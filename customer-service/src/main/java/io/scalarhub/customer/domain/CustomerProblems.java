package io.scalarhub.customer.domain;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;

/** The customer-specific failures a client can branch on. */
final class CustomerProblems {

	static final String EMAIL_TAKEN = ProblemTypes.BASE + "email-taken";

	static final String CUSTOMER_CLOSED = ProblemTypes.BASE + "customer-closed";

	static final String HAS_OPEN_ACCOUNTS = ProblemTypes.BASE + "customer-has-open-accounts";

	static final String HAS_ACTIVE_SUBSCRIPTIONS = ProblemTypes.BASE + "customer-has-active-subscriptions";

	private CustomerProblems() {
	}

	static ApiProblem emailTaken() {
		return ApiProblem.conflict(EMAIL_TAKEN, "A customer with this email already exists.");
	}

	static ApiProblem closed() {
		return ApiProblem.conflict(CUSTOMER_CLOSED, "The customer is closed and can no longer be changed.");
	}

	static ApiProblem hasOpenAccounts(Object id, long open) {
		return ApiProblem.conflict(HAS_OPEN_ACCOUNTS,
				"Customer " + id + " still has " + open + " account(s) that are not closed; close them first.");
	}

	static ApiProblem hasActiveSubscriptions(Object id, long active) {
		return ApiProblem.conflict(HAS_ACTIVE_SUBSCRIPTIONS, "Customer " + id + " still has " + active
				+ " subscription(s) that are not canceled; cancel them first.");
	}

	static ApiProblem notFound(Object id) {
		return ApiProblem.notFound("customer", id);
	}

}
