package io.scalarhub.transaction.domain;

import java.util.UUID;

/**
 * What the database's posting call answered: posted, the id taken, or the first rule the posting broke, with
 * the account it broke it on and what it found there (the account's status or currency).
 */
public record PostingOutcome(Result result, UUID accountId, String detail) {

	public enum Result {

		POSTED("posted"), ID_TAKEN("id-taken"), UNKNOWN_ACCOUNT("unknown-account"), NOT_OPEN("not-open"),
		CURRENCY_MISMATCH("currency-mismatch"), INSUFFICIENT_FUNDS("insufficient-funds");

		private final String code;

		Result(String code) {
			this.code = code;
		}

		public static Result of(String code) {
			for (Result result : values()) {
				if (result.code.equals(code)) {
					return result;
				}
			}
			throw new IllegalStateException("ledger_post answered an unknown outcome: " + code);
		}

	}

}
