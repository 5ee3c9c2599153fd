package io.scalarhub.subscription.billing;

/**
 * How a run's items stand. {@code charged}: renewed and charged; {@code pastDue}: the ledger refused the
 * charge (insufficient funds, say), the subscription is PAST_DUE; {@code canceled}: canceled at period end
 * instead of charged; {@code skipped}: renewed or canceled meanwhile by something else; {@code failed}:
 * transient failures on every attempt; {@code pending}: not done yet.
 */
public record RunCounts(long charged, long pastDue, long canceled, long skipped, long failed, long pending) {
}
