package io.scalarhub.subscription.billing;

import java.time.Instant;
import java.util.UUID;

/**
 * A billing run as stored: its job state and lease. The counts are its items' (see {@link RunCounts}). A run
 * belongs to the tenant whose client started it, and renews that tenant's subscriptions only.
 */
public record BillingRun(UUID id, UUID tenantId, BillingRunStatus status, Instant asOf, boolean planned, int total,
		int claims, String leaseOwner, Instant createdAt, Instant startedAt, Instant completedAt) {
}
