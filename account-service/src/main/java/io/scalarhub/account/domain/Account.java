package io.scalarhub.account.domain;

import java.time.Instant;
import java.util.UUID;

/** A customer's account: its record and lifecycle. Its balance lives in the ledger. */
public record Account(UUID id, UUID customerId, String currency, String name, AccountStatus status, Instant createdAt,
		Instant updatedAt) {

	public Account withStatus(AccountStatus newStatus, Instant now) {
		return new Account(this.id, this.customerId, this.currency, this.name, newStatus, this.createdAt, now);
	}

}
