package io.scalarhub.subscription.api;

import java.time.Instant;

/**
 * Body of {@code POST /v1/billing-runs}: renew what ended by {@code asOf} (default: now). A future one is a test
 * clock, refused unless enabled ({@code scalarhub.billing.test-clocks-enabled}).
 */
public record BillingRunRequest(Instant asOf) {
}
