package io.scalarhub.subscription.billing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How billing runs are worked (docs/configuration.md).
 *
 * @param workerEnabled whether this instance works billing runs at all (any number of instances may)
 * @param pollInterval how often an idle worker looks for a run to claim
 * @param leaseDuration how long a claimed run is this worker's without a heartbeat; a run whose worker
 * died is taken over this long after its last heartbeat
 * @param heartbeatInterval how often a working worker renews its lease (well under the lease duration)
 * @param batchSize how many due subscriptions one batch processes, at most
 * @param concurrency how many charges of a batch are in flight at once
 * @param maxAttempts how often one subscription's renewal is tried on transient failures before it counts
 * as failed
 * @param retryBackoff the wait before the second attempt; doubled for every further one
 * @param maxRetryBackoff the longest wait between attempts
 * @param maxClaims how often a run may be claimed (taken over after lease expiry) before it is FAILED
 * @param testClocksEnabled whether a run may be started as of a time in the future (more than
 * {@link #CLOCK_SKEW} ahead): a test clock, which renews and charges periods that have not ended yet. For test
 * and demo suites only; off, such a run is refused (422 {@code test-clock-disabled}), so no client can charge
 * its subscribers ahead of time
 */
@ConfigurationProperties("scalarhub.billing")
public record BillingProperties(@DefaultValue("true") boolean workerEnabled, @DefaultValue("1s") Duration pollInterval,
		@DefaultValue("30s") Duration leaseDuration, @DefaultValue("5s") Duration heartbeatInterval,
		@DefaultValue("100") int batchSize, @DefaultValue("8") int concurrency, @DefaultValue("5") int maxAttempts,
		@DefaultValue("1s") Duration retryBackoff, @DefaultValue("1m") Duration maxRetryBackoff,
		@DefaultValue("20") int maxClaims, @DefaultValue("false") boolean testClocksEnabled) {

	/** How far ahead of this instance's clock an as-of may be without a test clock: the callers' clocks differ. */
	public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

	public BillingProperties {
		if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
			throw new IllegalArgumentException("scalarhub.billing.heartbeat-interval (" + heartbeatInterval
					+ ") must be shorter than scalarhub.billing.lease-duration (" + leaseDuration + ")");
		}
		if (batchSize < 1 || concurrency < 1 || maxAttempts < 1 || maxClaims < 1) {
			throw new IllegalArgumentException(
					"scalarhub.billing.batch-size, concurrency, max-attempts and max-claims must be at least 1");
		}
	}

	/** The wait before attempt {@code attempt + 1}, after {@code attempt} failed ones. */
	public Duration backoff(int attempt) {
		Duration wait = this.retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
		return (wait.compareTo(this.maxRetryBackoff) > 0) ? this.maxRetryBackoff : wait;
	}

}
