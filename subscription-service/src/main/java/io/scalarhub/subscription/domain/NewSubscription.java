package io.scalarhub.subscription.domain;

import java.util.UUID;

public record NewSubscription(UUID customerId, UUID productId, UUID accountId) {
}
