package io.scalarhub.subscription.api;

import java.time.Instant;

/** Body of {@code POST /v1/billing-runs}: renew what ended by {@code asOf} (default: now). */
public record BillingRunRequest(Instant asOf) {
}
