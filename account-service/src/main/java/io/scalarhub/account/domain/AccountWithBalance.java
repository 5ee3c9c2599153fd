package io.scalarhub.account.domain;

/**
 * An account with its balance from the ledger; {@code balance} is null when the ledger could not be asked
 * (the account is still shown: graceful degradation, flagged to the client by the API layer).
 */
public record AccountWithBalance(Account account, Long balance) {

	public boolean degraded() {
		return this.balance == null;
	}

}
