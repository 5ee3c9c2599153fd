package io.scalarhub.transaction.domain;

import java.time.Instant;
import java.util.UUID;

/** What the ledger knows of an account: its currency, whether money may move, and its balance. */
public record LedgerAccount(UUID id, String currency, AccountStatus status, long balance, Instant updatedAt) {
}
