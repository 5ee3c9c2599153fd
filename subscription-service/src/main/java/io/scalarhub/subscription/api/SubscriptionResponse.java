package io.scalarhub.subscription.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.subscription.domain.Subscription;
import io.scalarhub.subscription.domain.SubscriptionStatus;

/** A subscription as the public API shows it (docs/api.md). */
public record SubscriptionResponse(UUID id, UUID customerId, UUID productId, UUID accountId, SubscriptionStatus status,
		Instant currentPeriodStart, Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant createdAt) {

	static SubscriptionResponse of(Subscription s) {
		return new SubscriptionResponse(s.id(), s.customerId(), s.productId(), s.accountId(), s.status(),
				s.currentPeriodStart(), s.currentPeriodEnd(), s.cancelAtPeriodEnd(), s.createdAt());
	}

}
