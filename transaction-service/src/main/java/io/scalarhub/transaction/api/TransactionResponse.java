package io.scalarhub.transaction.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.transaction.domain.LedgerTransaction;
import io.scalarhub.transaction.domain.TransactionType;

/** A transaction as the public API shows it. */
public record TransactionResponse(UUID id, TransactionType type, String status, long amount, String currency,
		UUID sourceAccountId, UUID destinationAccountId, String description, Instant createdAt) {

	static TransactionResponse of(LedgerTransaction transaction) {
		return new TransactionResponse(transaction.id(), transaction.type(), LedgerTransaction.STATUS_POSTED,
				transaction.amount(), transaction.currency(), transaction.sourceAccountId(),
				transaction.destinationAccountId(), transaction.description(), transaction.createdAt());
	}

}
