package io.scalarhub.transaction.domain;

import java.util.UUID;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;

import org.springframework.http.HttpStatus;

/** The ledger's refusals a client can branch on (docs/api.md). */
final class LedgerProblems {

	static final String INSUFFICIENT_FUNDS = ProblemTypes.BASE + "insufficient-funds";

	static final String CURRENCY_MISMATCH = ProblemTypes.BASE + "currency-mismatch";

	static final String ACCOUNT_NOT_OPEN = ProblemTypes.BASE + "account-not-open";

	static final String ACCOUNT_NOT_FOUND = ProblemTypes.BASE + "account-not-found";

	static final String ACCOUNT_STATE_CONFLICT = ProblemTypes.BASE + "account-state-conflict";

	static final String CHARGE_ID_IN_USE = ProblemTypes.BASE + "charge-id-in-use";

	private LedgerProblems() {
	}

	static ApiProblem insufficientFunds(UUID account) {
		return unprocessable(INSUFFICIENT_FUNDS, "Insufficient funds",
				"Account " + account + " does not hold enough money for this transaction.");
	}

	static ApiProblem currencyMismatch(UUID account, String accountCurrency, String currency) {
		return unprocessable(CURRENCY_MISMATCH, "Currency mismatch",
				"Account " + account + " holds " + accountCurrency + ", not " + currency + ".");
	}

	static ApiProblem notOpen(UUID account, AccountStatus status) {
		return unprocessable(ACCOUNT_NOT_OPEN, "Account not open",
				"Account " + account + " is " + status + "; money moves only in and out of open accounts.");
	}

	static ApiProblem unknownAccount(UUID account) {
		return unprocessable(ACCOUNT_NOT_FOUND, "Account not found", "No account with id " + account + ".");
	}

	/** The id names another tenant's charge; saying no more than that it is taken reveals nothing of it. */
	static ApiProblem chargeIdInUse(UUID chargeId) {
		return ApiProblem.conflict(CHARGE_ID_IN_USE,
				"Charge id " + chargeId + " is in use for another charge; this charge needs an id of its own.");
	}

	static ApiProblem stateConflict(String detail) {
		return ApiProblem.conflict(ACCOUNT_STATE_CONFLICT, detail);
	}

	private static ApiProblem unprocessable(String type, String title, String detail) {
		return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, type, title, detail);
	}

}
