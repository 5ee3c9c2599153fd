package io.scalarhub.subscription.billing;

import java.util.UUID;

/** One due subscription of a run: the period it is to charge, and how many attempts it has had. */
public record BillingItem(UUID runId, UUID subscriptionId, int periodNumber, int attempts) {
}
