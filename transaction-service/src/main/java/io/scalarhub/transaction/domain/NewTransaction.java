package io.scalarhub.transaction.domain;

import java.util.UUID;

/** A request to move money, checked for shape by the API layer. */
public record NewTransaction(TransactionType type, long amount, String currency, UUID sourceAccountId,
		UUID destinationAccountId, String description) {
}
