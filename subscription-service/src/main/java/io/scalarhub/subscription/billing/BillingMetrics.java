package io.scalarhub.subscription.billing;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Billing progress in Micrometer (docs/operations.md): {@code scalarhub.billing.renewals{outcome}} counts
 * what happened to each due subscription (charged, past_due, canceled, skipped, retried, failed);
 * {@code scalarhub.billing.runs{event}} counts runs claimed, taken over, completed and failed;
 * {@code scalarhub.billing.runs.open} is the backlog of runs waiting or being worked (all instances, all
 * tenants), and {@code scalarhub.billing.items.pending} what the run this instance works has left.
 */
@Component
public class BillingMetrics {

	public enum Outcome {

		CHARGED, PAST_DUE, CANCELED, SKIPPED, RETRIED, FAILED

	}

	private final Map<Outcome, Counter> renewals = new EnumMap<>(Outcome.class);

	private final Counter claimed;

	private final Counter takenOver;

	private final Counter completed;

	private final Counter failed;

	private final AtomicLong openRuns = new AtomicLong();

	private final AtomicLong pendingItems = new AtomicLong();

	public BillingMetrics(MeterRegistry registry) {
		for (Outcome outcome : Outcome.values()) {
			this.renewals.put(outcome, Counter.builder("scalarhub.billing.renewals")
				.description("Due subscriptions processed by billing runs, by outcome")
				.tag("outcome", outcome.name().toLowerCase())
				.register(registry));
		}
		this.claimed = runs(registry, "claimed");
		this.takenOver = runs(registry, "taken_over");
		this.completed = runs(registry, "completed");
		this.failed = runs(registry, "failed");
		Gauge.builder("scalarhub.billing.runs.open", this.openRuns, AtomicLong::get)
			.description("Billing runs PENDING or RUNNING, over all instances and tenants")
			.register(registry);
		Gauge.builder("scalarhub.billing.items.pending", this.pendingItems, AtomicLong::get)
			.description("Subscriptions still to process in the run this instance works")
			.register(registry);
	}

	private static Counter runs(MeterRegistry registry, String event) {
		return Counter.builder("scalarhub.billing.runs").description("Billing run lifecycle events").tag("event", event)
			.register(registry);
	}

	void renewal(Outcome outcome) {
		this.renewals.get(outcome).increment();
	}

	void claimed(boolean takeOver) {
		this.claimed.increment();
		if (takeOver) {
			this.takenOver.increment();
		}
	}

	void completed() {
		this.completed.increment();
	}

	void failed() {
		this.failed.increment();
	}

	void openRuns(long count) {
		this.openRuns.set(count);
	}

	void pendingItems(long count) {
		this.pendingItems.set(count);
	}

}
