package io.scalarhub.subscription.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A subscription of a customer's account to a recurring product. {@code periodNumber} counts the periods
 * charged so far; the current period is the one charged last.
 */
public record Subscription(UUID id, UUID customerId, UUID productId, UUID accountId, SubscriptionStatus status,
		long priceAmount, String currency, BillingInterval interval, int periodNumber, Instant currentPeriodStart,
		Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant canceledAt, long version, Instant createdAt,
		Instant updatedAt) {

	public String etag() {
		return "\"" + this.version + "\"";
	}

}
