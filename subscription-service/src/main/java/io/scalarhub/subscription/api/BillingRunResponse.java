package io.scalarhub.subscription.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.subscription.billing.BillingRun;
import io.scalarhub.subscription.billing.BillingRunStatus;
import io.scalarhub.subscription.billing.RunCounts;

/**
 * A billing run and its progress (docs/api.md). {@code total} is the number of due subscriptions, known once
 * a worker has started the run; {@code charged + pastDue + canceled + skipped + failed + pending = total}.
 */
public record BillingRunResponse(UUID id, BillingRunStatus status, Instant asOf, long total, long charged, long failed,
		long pastDue, long canceled, long skipped, long pending, Instant createdAt, Instant startedAt,
		Instant completedAt) {

	static BillingRunResponse of(BillingRun run, RunCounts counts) {
		return new BillingRunResponse(run.id(), run.status(), run.asOf(), run.total(), counts.charged(), counts.failed(),
				counts.pastDue(), counts.canceled(), counts.skipped(), counts.pending(), run.createdAt(), run.startedAt(),
				run.completedAt());
	}

}
