package io.scalarhub.account.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.account.domain.Account;
import io.scalarhub.account.domain.AccountStatus;
import io.scalarhub.account.domain.AccountWithBalance;
import io.scalarhub.platform.money.Money;

/** An account as the public API shows it; {@code balance} is null when the ledger could not be asked. */
public record AccountResponse(UUID id, UUID customerId, String currency, String name, AccountStatus status,
		Money balance, Instant createdAt, Instant updatedAt) {

	static AccountResponse of(AccountWithBalance withBalance) {
		Account account = withBalance.account();
		Money balance = withBalance.degraded() ? null : new Money(withBalance.balance(), account.currency());
		return new AccountResponse(account.id(), account.customerId(), account.currency(), account.name(),
				account.status(), balance, account.createdAt(), account.updatedAt());
	}

	/** A freshly opened account holds nothing yet. */
	static AccountResponse opened(Account account) {
		return of(new AccountWithBalance(account, 0L));
	}

}
