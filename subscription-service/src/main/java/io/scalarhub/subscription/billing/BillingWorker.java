package io.scalarhub.subscription.billing;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.scalarhub.platform.client.DownstreamRejectedException;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.subscription.client.LedgerClient;
import io.scalarhub.subscription.domain.ChargeKeys;
import io.scalarhub.subscription.domain.Subscription;
import io.scalarhub.subscription.domain.SubscriptionStatus;
import io.scalarhub.subscription.persistence.BillingRunRepository;
import io.scalarhub.subscription.persistence.SubscriptionRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Works billing runs. Every instance runs one worker; any number may run at once:
 * <ul>
 * <li>A worker claims one run at a time with a lease ({@code FOR UPDATE SKIP LOCKED}, so two workers never
 * claim the same run) and renews it with a heartbeat while it works. A worker that dies stops renewing;
 * once its lease expires, another worker claims the run and carries on where it stopped.</li>
 * <li>Runs belong to tenants, workers to none: the claim looks at the open runs of every tenant, in the
 * system scope (which billing_run's policies let see open runs and take one, and nothing else). Everything
 * else of a run (its lease, its items, the subscriptions, the ledger's charges, which the service client
 * sends for the run's tenant) happens in the run's tenant's scope, so a run can only ever renew and charge
 * that tenant's subscriptions.</li>
 * <li>On first claim the run's items are fixed in one transaction: each live subscription of the run's tenant
 * whose period ended by the run's as-of, with the number of the period to charge.</li>
 * <li>Items are processed in bounded batches, a bounded number at once. Each item is one database
 * transaction: lock the item (still pending?) and the subscription, charge the period through the ledger
 * with the charge id derived from (subscription, period), advance the period or mark the subscription
 * PAST_DUE, and mark the item done. If anything fails before the commit, the item stays pending and is
 * charged again later with the same charge id, which the ledger answers with the charge it already
 * posted: a subscription is charged at most once per period, however often a worker dies.</li>
 * <li>A transient failure (ledger unreachable) is retried with exponential backoff; after the last attempt
 * the item counts as failed and the run goes on. A run claimed too often (its workers keep dying) is FAILED.</li>
 * </ul>
 */
@Component
public class BillingWorker implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(BillingWorker.class);

	private final BillingProperties properties;

	private final BillingRunRepository runs;

	private final SubscriptionRepository subscriptions;

	private final LedgerClient ledger;

	private final TransactionalOperator transactional;

	private final BillingMetrics metrics;

	private final String owner;

	private volatile Disposable loop;

	public BillingWorker(BillingProperties properties, BillingRunRepository runs, SubscriptionRepository subscriptions,
			LedgerClient ledger, TransactionalOperator transactional, BillingMetrics metrics,
			@Value("${spring.application.name}") String application) {
		this.properties = properties;
		this.runs = runs;
		this.subscriptions = subscriptions;
		this.ledger = ledger;
		this.transactional = transactional;
		this.metrics = metrics;
		this.owner = application + ":" + UUID.randomUUID();
	}

	/** This worker's name in the leases it holds. */
	public String owner() {
		return this.owner;
	}

	@Override
	public void start() {
		if (!this.properties.workerEnabled()) {
			logger.info("Billing worker disabled (scalarhub.billing.worker-enabled=false)");
			return;
		}
		this.loop = Flux.interval(this.properties.pollInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> cycle(), 0)
			.subscribe();
		logger.info("Billing worker {} started", this.owner);
	}

	/**
	 * Stops working at once, without giving up the lease: what is in flight is rolled back and redone by
	 * whoever claims the run after the lease expires, exactly as when the process is killed.
	 */
	@Override
	public void stop() {
		Disposable current = this.loop;
		this.loop = null;
		if (current != null) {
			current.dispose();
			logger.info("Billing worker {} stopped", this.owner);
		}
	}

	@Override
	public boolean isRunning() {
		return this.loop != null;
	}

	/**
	 * One look for work: refresh the backlog gauge, claim a run of any tenant if one is free (both in the
	 * system scope), work it to the end in its tenant's scope.
	 */
	private Mono<Void> cycle() {
		return acrossTenants(this.runs.openRuns())
			.doOnNext(this.metrics::openRuns)
			.filter((open) -> open > 0)
			.flatMap((open) -> acrossTenants(this.runs.claim(this.owner, this.properties.leaseDuration())))
			.flatMap((run) -> work(run).contextWrite(TenantScope.with(run.tenantId())))
			.onErrorResume((error) -> {
				logger.warn("Billing worker {}: {}", this.owner, error.toString());
				return Mono.empty();
			});
	}

	/** A claimed run, to its end or until its lease is lost; subscribed to in the run's tenant's scope. */
	private Mono<Void> work(BillingRun run) {
		this.metrics.claimed(run.claims() > 1);
		logger.info("Billing run {} of tenant {} claimed by {} (claim {})", run.id(), run.tenantId(), this.owner,
				run.claims());
		if (run.claims() > this.properties.maxClaims()) {
			logger.error("Billing run {} claimed {} times: given up", run.id(), run.claims());
			this.metrics.failed();
			return this.runs.fail(run.id(), "claimed " + run.claims() + " times; its workers keep dying")
				.as(this.transactional::transactional);
		}
		AtomicBoolean leaseLost = new AtomicBoolean();
		// subscribed apart from the run's work, so it is given the run's tenant itself
		Disposable heartbeat = Flux.interval(this.properties.heartbeatInterval())
			.concatMap((tick) -> this.runs.renewLease(run.id(), this.owner, this.properties.leaseDuration())
				.as(this.transactional::transactional)
				.contextWrite(TenantScope.with(run.tenantId()))
				.onErrorResume((error) -> Mono.just(true)), 0)
			.subscribe((renewed) -> {
				if (!renewed) {
					leaseLost.set(true);
				}
			});
		return plan(run).then(Mono.defer(() -> step(run, leaseLost)).repeat().takeWhile(Boolean::booleanValue).then())
			.doFinally((signal) -> {
				heartbeat.dispose();
				this.metrics.pendingItems(0);
			});
	}

	private Mono<Void> plan(BillingRun run) {
		if (run.planned()) {
			return Mono.empty();
		}
		return this.runs.insertItems(run.id(), run.asOf())
			.then(this.runs.markPlanned(run.id(), this.owner))
			.as(this.transactional::transactional)
			.doOnNext((planned) -> logger.info("Billing run {} planned", run.id()))
			.then();
	}

	/** One batch; true while there is more to do and the lease is still ours. */
	private Mono<Boolean> step(BillingRun run, AtomicBoolean leaseLost) {
		if (leaseLost.get()) {
			logger.warn("Billing run {}: lease lost by {}, leaving it to its new worker", run.id(), this.owner);
			return Mono.just(false);
		}
		return this.runs.readyItems(run.id(), this.properties.batchSize())
			.as(this.transactional::transactional)
			.collectList()
			.flatMap((items) -> items.isEmpty() ? completeOrWait(run) : renewAll(run, items));
	}

	/**
	 * A batch of items, a bounded number at once. The ledger is called with this service's own token (the
	 * platform's service clients present it) for the run's tenant (the scope this runs in).
	 */
	private Mono<Boolean> renewAll(BillingRun run, List<BillingItem> items) {
		return Flux.fromIterable(items)
			.flatMap((item) -> renew(run, item), this.properties.concurrency())
			.then(Mono.just(true));
	}

	/** No item is ready: the run is done unless items wait for their backoff (true: look again). */
	private Mono<Boolean> completeOrWait(BillingRun run) {
		return this.runs.pendingItems(run.id()).as(this.transactional::transactional).flatMap((pending) -> {
			this.metrics.pendingItems(pending);
			if (pending > 0) {
				// only items waiting for their backoff are left
				return Mono.delay(this.properties.pollInterval()).thenReturn(true);
			}
			return this.runs.complete(run.id(), this.owner).as(this.transactional::transactional).map((completed) -> {
				if (completed) {
					this.metrics.completed();
					logger.info("Billing run {} completed by {}", run.id(), this.owner);
				}
				return false;
			});
		});
	}

	private Mono<Void> renew(BillingRun run, BillingItem item) {
		return this.runs.lockPendingItem(item.runId(), item.subscriptionId())
			.flatMap((locked) -> this.subscriptions.findByIdForUpdate(item.subscriptionId())
				.flatMap((subscription) -> renew(run, locked, subscription)))
			.as(this.transactional::transactional)
			.doOnNext(this.metrics::renewal)
			.onErrorResume((error) -> !(error instanceof DownstreamRejectedException), (error) -> {
				int attempt = item.attempts() + 1;
				BillingMetrics.Outcome outcome = (attempt >= this.properties.maxAttempts()) ? BillingMetrics.Outcome.FAILED
						: BillingMetrics.Outcome.RETRIED;
				logger.warn("Billing run {}: subscription {} attempt {} failed: {}", run.id(), item.subscriptionId(), attempt,
						error.toString());
				this.metrics.renewal(outcome);
				return this.runs.attemptFailed(item.runId(), item.subscriptionId(), this.properties.maxAttempts(),
						this.properties.backoff(attempt), error.toString())
					.as(this.transactional::transactional)
					.thenReturn(outcome);
			})
			.then();
	}

	private Mono<BillingMetrics.Outcome> renew(BillingRun run, BillingItem item, Subscription subscription) {
		if (subscription.status() == SubscriptionStatus.CANCELED) {
			return finish(item, "SKIPPED", "canceled before it was renewed", BillingMetrics.Outcome.SKIPPED);
		}
		if (subscription.periodNumber() >= item.periodNumber()) {
			return finish(item, "SKIPPED", "period " + item.periodNumber() + " renewed already", BillingMetrics.Outcome.SKIPPED);
		}
		java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
		if (subscription.cancelAtPeriodEnd()) {
			return this.subscriptions.update(with(subscription, SubscriptionStatus.CANCELED, subscription.periodNumber(),
					subscription.currentPeriodStart(), subscription.currentPeriodEnd(), subscription.currentPeriodEnd()), now)
				.then(finish(item, "CANCELED", null, BillingMetrics.Outcome.CANCELED));
		}
		return this.ledger
			.charge(ChargeKeys.charge(subscription.id(), item.periodNumber()), subscription.accountId(),
					subscription.priceAmount(), subscription.currency(),
					"Subscription " + subscription.id() + ", period " + item.periodNumber())
			.then(Mono.defer(() -> this.subscriptions.update(with(subscription, SubscriptionStatus.ACTIVE, item.periodNumber(),
					subscription.currentPeriodEnd(), subscription.interval().after(subscription.currentPeriodEnd()), null), now)))
			.then(Mono.defer(() -> finish(item, "CHARGED", null, BillingMetrics.Outcome.CHARGED)))
			.onErrorResume(DownstreamRejectedException.class, (refused) -> {
				if (refused.status() != HttpStatus.UNPROCESSABLE_CONTENT.value()) {
					// not a payment refusal but a conflict no retry can solve: counted as failed, looked at by a person
					return finish(item, "FAILED", refused.type() + ": " + refused.getMessage(), BillingMetrics.Outcome.FAILED);
				}
				return this.subscriptions.update(with(subscription, SubscriptionStatus.PAST_DUE, subscription.periodNumber(),
						subscription.currentPeriodStart(), subscription.currentPeriodEnd(), null), now)
					.then(finish(item, "PAST_DUE", refused.type(), BillingMetrics.Outcome.PAST_DUE));
			});
	}

	/**
	 * {@code work} in the system scope: the one thing a worker does across tenants (counting and claiming open
	 * runs), in a transaction of its own as every statement is.
	 */
	private <T> Mono<T> acrossTenants(Mono<T> work) {
		return work.as(this.transactional::transactional).contextWrite(TenantScope.system());
	}

	private Mono<BillingMetrics.Outcome> finish(BillingItem item, String status, String error, BillingMetrics.Outcome outcome) {
		return this.runs.finishItem(item.runId(), item.subscriptionId(), status, error).thenReturn(outcome);
	}

	private static Subscription with(Subscription s, SubscriptionStatus status, int period, java.time.Instant start,
			java.time.Instant end, java.time.Instant canceledAt) {
		return new Subscription(s.id(), s.customerId(), s.productId(), s.accountId(), status, s.priceAmount(), s.currency(),
				s.interval(), period, start, end, (status == SubscriptionStatus.CANCELED) ? false : s.cancelAtPeriodEnd(),
				canceledAt, s.version(), s.createdAt(), s.updatedAt());
	}

}
