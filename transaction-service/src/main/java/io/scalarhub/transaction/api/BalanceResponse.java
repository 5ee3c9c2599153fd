package io.scalarhub.transaction.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.transaction.domain.LedgerAccount;

/** {@code GET /v1/accounts/{id}/balance}: the balance as of the ledger's last change to the account. */
public record BalanceResponse(UUID accountId, long amount, String currency, Instant asOf) {

	static BalanceResponse of(LedgerAccount account) {
		return new BalanceResponse(account.id(), account.balance(), account.currency(), account.updatedAt());
	}

}
