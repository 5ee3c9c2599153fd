package io.scalarhub.subscription.domain;

import java.util.UUID;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;

import org.springframework.http.HttpStatus;

/**
 * Why a subscription is refused (422, docs/api.md), one problem type per reason a client can act on. The
 * ledger's own refusals of the first charge (insufficient-funds, account-not-open, currency-mismatch) reach
 * the client as the ledger answered them.
 */
public final class SubscriptionProblems {

	static final String CUSTOMER_NOT_FOUND = ProblemTypes.BASE + "customer-not-found";

	static final String CUSTOMER_NOT_ACTIVE = ProblemTypes.BASE + "customer-not-active";

	static final String PRODUCT_NOT_FOUND = ProblemTypes.BASE + "product-not-found";

	static final String PRODUCT_NOT_ACTIVE = ProblemTypes.BASE + "product-not-active";

	static final String PRODUCT_NOT_RECURRING = ProblemTypes.BASE + "product-not-recurring";

	static final String ACCOUNT_NOT_FOUND = ProblemTypes.BASE + "account-not-found";

	static final String ACCOUNT_NOT_OPEN = ProblemTypes.BASE + "account-not-open";

	static final String ACCOUNT_NOT_OWNED = ProblemTypes.BASE + "account-not-owned";

	static final String CURRENCY_MISMATCH = ProblemTypes.BASE + "currency-mismatch";

	public static final String INSUFFICIENT_FUNDS = ProblemTypes.BASE + "insufficient-funds";

	static final String SUBSCRIPTION_CANCELED = ProblemTypes.BASE + "subscription-canceled";

	private SubscriptionProblems() {
	}

	static ApiProblem customerNotFound(UUID id) {
		return unprocessable(CUSTOMER_NOT_FOUND, "Customer not found", "No customer with id " + id + ".");
	}

	static ApiProblem customerNotActive(UUID id) {
		return unprocessable(CUSTOMER_NOT_ACTIVE, "Customer not active",
				"Customer " + id + " is closed; only active customers can subscribe.");
	}

	static ApiProblem productNotFound(UUID id) {
		return unprocessable(PRODUCT_NOT_FOUND, "Product not found", "No product with id " + id + ".");
	}

	static ApiProblem productNotActive(UUID id) {
		return unprocessable(PRODUCT_NOT_ACTIVE, "Product not active", "Product " + id + " is not active.");
	}

	static ApiProblem productNotRecurring(UUID id) {
		return unprocessable(PRODUCT_NOT_RECURRING, "Product not recurring",
				"Product " + id + " is sold once (ONE_TIME); only MONTH or YEAR products can be subscribed to.");
	}

	static ApiProblem accountNotFound(UUID id) {
		return unprocessable(ACCOUNT_NOT_FOUND, "Account not found", "No account with id " + id + ".");
	}

	static ApiProblem accountNotOpen(UUID id, String status) {
		return unprocessable(ACCOUNT_NOT_OPEN, "Account not open",
				"Account " + id + " is " + status + "; subscriptions are charged to open accounts only.");
	}

	static ApiProblem accountNotOwned(UUID account, UUID customer) {
		return unprocessable(ACCOUNT_NOT_OWNED, "Account not the customer's",
				"Account " + account + " does not belong to customer " + customer + ".");
	}

	static ApiProblem currencyMismatch(UUID account, String accountCurrency, String priceCurrency) {
		return unprocessable(CURRENCY_MISMATCH, "Currency mismatch",
				"Account " + account + " holds " + accountCurrency + "; the product is priced in " + priceCurrency + ".");
	}

	static ApiProblem canceled(UUID id) {
		return ApiProblem.conflict(SUBSCRIPTION_CANCELED, "Subscription " + id + " is canceled for good.");
	}

	static ApiProblem notFound(UUID id) {
		return ApiProblem.notFound("subscription", id);
	}

	private static ApiProblem unprocessable(String type, String title, String detail) {
		return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, type, title, detail);
	}

}
