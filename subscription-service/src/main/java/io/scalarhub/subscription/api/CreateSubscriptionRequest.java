package io.scalarhub.subscription.api;

import java.util.UUID;

import io.scalarhub.subscription.domain.NewSubscription;
import jakarta.validation.constraints.NotNull;

/** Body of {@code POST /v1/subscriptions}. */
public record CreateSubscriptionRequest(@NotNull UUID customerId, @NotNull UUID productId, @NotNull UUID accountId) {

	NewSubscription toNewSubscription() {
		return new NewSubscription(this.customerId, this.productId, this.accountId);
	}

}
