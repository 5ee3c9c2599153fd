package io.scalarhub.transaction.api;

import java.util.UUID;

import io.scalarhub.platform.money.Currencies;
import io.scalarhub.transaction.domain.NewTransaction;
import io.scalarhub.transaction.domain.TransactionType;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/transactions}; amounts are minor units, at most 10^15 (no overflow anywhere). */
public record PostTransactionRequest(@NotNull TransactionType type,
		@NotNull @Positive @Max(PostTransactionRequest.MAX_AMOUNT) Long amount,
		@NotNull @Pattern(regexp = Currencies.PATTERN, message = "must be an ISO 4217 code in upper case") String currency,
		UUID sourceAccountId, UUID destinationAccountId, @Size(max = 500) String description) {

	static final long MAX_AMOUNT = 1_000_000_000_000_000L;

	NewTransaction toNewTransaction() {
		return new NewTransaction(this.type, this.amount, this.currency, this.sourceAccountId,
				this.destinationAccountId, this.description);
	}

}
