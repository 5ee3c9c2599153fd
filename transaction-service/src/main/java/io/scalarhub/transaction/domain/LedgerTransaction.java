package io.scalarhub.transaction.domain;

import java.time.Instant;
import java.util.UUID;

/** A posted movement of money. Immutable once posted: corrections are new transactions. */
public record LedgerTransaction(UUID id, TransactionType type, long amount, String currency, UUID sourceAccountId,
		UUID destinationAccountId, String description, Instant createdAt) {

	public static final String STATUS_POSTED = "POSTED";

}
