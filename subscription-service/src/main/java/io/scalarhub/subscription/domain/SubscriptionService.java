package io.scalarhub.subscription.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import io.scalarhub.platform.data.OneStatementRead;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.subscription.client.AccountClient;
import io.scalarhub.subscription.client.CustomerClient;
import io.scalarhub.subscription.client.LedgerClient;
import io.scalarhub.subscription.client.ProductClient;
import io.scalarhub.subscription.persistence.SubscriptionRepository;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The subscription use cases. Creating one checks the customer, the product and the account with their
 * services (which answer for the request's tenant, sent along by the platform's service client, so another
 * tenant's is not found: 422), charges the first period through the ledger, and only then inserts the
 * subscription, ACTIVE and the request's tenant's, in the transaction that also records the request's
 * Idempotency-Key. The subscription's id is derived from the request and its key, and the charge's id from
 * the subscription and the period, so a retry of a request that failed anywhere after the charge (the
 * ledger's answer lost, this service down before its commit) computes the same charge, which the ledger
 * answers as already posted: the job is finished and nothing is charged twice. A failure before the charge
 * leaves nothing at all.
 */
@Service
public class SubscriptionService {

	private final SubscriptionRepository repository;

	private final CustomerClient customers;

	private final ProductClient products;

	private final AccountClient accounts;

	private final LedgerClient ledger;

	private final Clock clock = Clock.systemUTC();

	public SubscriptionService(SubscriptionRepository repository, CustomerClient customers, ProductClient products,
			AccountClient accounts, LedgerClient ledger) {
		this.repository = repository;
		this.customers = customers;
		this.products = products;
		this.accounts = accounts;
		this.ledger = ledger;
	}

	/**
	 * Creates subscription {@code id} (derived by the caller with {@link ChargeKeys#subscriptionId}). Runs in
	 * the caller's read-write transaction (the idempotency record's), so every read here is the primary's.
	 */
	public Mono<Subscription> create(UUID id, NewSubscription request) {
		// the same request after its idempotency record expired: the subscription it made is the answer
		return this.repository.findById(id).switchIfEmpty(Mono.defer(() -> checkChargeAndInsert(id, request)));
	}

	private Mono<Subscription> checkChargeAndInsert(UUID id, NewSubscription request) {
		return Mono
			.zip(this.customers.customer(request.customerId()).map(Optional::of).defaultIfEmpty(Optional.empty()),
					this.products.product(request.productId()).map(Optional::of).defaultIfEmpty(Optional.empty()),
					this.accounts.account(request.accountId()).map(Optional::of).defaultIfEmpty(Optional.empty()))
			.flatMap((found) -> {
				CustomerClient.CustomerView customer = found.getT1()
					.orElseThrow(() -> SubscriptionProblems.customerNotFound(request.customerId()));
				if (!customer.active()) {
					throw SubscriptionProblems.customerNotActive(request.customerId());
				}
				ProductClient.ProductView product = found.getT2()
					.orElseThrow(() -> SubscriptionProblems.productNotFound(request.productId()));
				if (!product.isActive()) {
					throw SubscriptionProblems.productNotActive(request.productId());
				}
				if (!product.recurring()) {
					throw SubscriptionProblems.productNotRecurring(request.productId());
				}
				AccountClient.AccountView account = found.getT3()
					.orElseThrow(() -> SubscriptionProblems.accountNotFound(request.accountId()));
				if (!request.customerId().equals(account.customerId())) {
					throw SubscriptionProblems.accountNotOwned(request.accountId(), request.customerId());
				}
				if (!"OPEN".equals(account.status())) {
					throw SubscriptionProblems.accountNotOpen(request.accountId(), account.status());
				}
				if (!product.price().currency().equals(account.currency())) {
					throw SubscriptionProblems.currencyMismatch(request.accountId(), account.currency(),
							product.price().currency());
				}
				Instant now = now();
				BillingInterval interval = BillingInterval.valueOf(product.interval());
				Subscription subscription = new Subscription(id, request.customerId(), request.productId(),
						request.accountId(), SubscriptionStatus.ACTIVE, product.price().amount(), product.price().currency(),
						interval, 1, now, interval.after(now), false, null, 1, now, now);
				return this.ledger
					.charge(ChargeKeys.charge(id, 1), request.accountId(), subscription.priceAmount(),
							subscription.currency(), describe(id, 1))
					.then(this.repository.insertIfAbsent(subscription));
			});
	}

	static String describe(UUID subscriptionId, int period) {
		return "Subscription " + subscriptionId + ", period " + period;
	}

	@OneStatementRead
	public Mono<Subscription> get(UUID id) {
		return this.repository.findById(id).switchIfEmpty(Mono.error(() -> SubscriptionProblems.notFound(id)));
	}

	@Transactional(readOnly = true)
	public Mono<PageResponse<Subscription>> list(UUID customerId, SubscriptionStatus status, PageQuery page) {
		return this.repository.findPage(customerId, status, page)
			.collectList()
			.zipWith(this.repository.count(customerId, status))
			.map((pageAndTotal) -> PageResponse.of(pageAndTotal.getT1(), page, pageAndTotal.getT2()));
	}

	/**
	 * Cancels now (CANCELED at once, nothing more is charged) or at the period's end (the billing run that
	 * finds the period ended cancels it instead of charging). Canceling a canceled subscription changes
	 * nothing; asking to cancel at period end after it was canceled is a 409.
	 */
	@Transactional
	public Mono<Subscription> cancel(UUID id, boolean atPeriodEnd) {
		return this.repository.findByIdForUpdate(id)
			.switchIfEmpty(Mono.error(() -> SubscriptionProblems.notFound(id)))
			.flatMap((current) -> {
				if (current.status() == SubscriptionStatus.CANCELED) {
					return atPeriodEnd ? Mono.error(SubscriptionProblems.canceled(id)) : Mono.just(current);
				}
				Instant now = now();
				Subscription changed = atPeriodEnd
						? new Subscription(current.id(), current.customerId(), current.productId(), current.accountId(),
								current.status(), current.priceAmount(), current.currency(), current.interval(),
								current.periodNumber(), current.currentPeriodStart(), current.currentPeriodEnd(), true, null,
								current.version(), current.createdAt(), current.updatedAt())
						: new Subscription(current.id(), current.customerId(), current.productId(), current.accountId(),
								SubscriptionStatus.CANCELED, current.priceAmount(), current.currency(), current.interval(),
								current.periodNumber(), current.currentPeriodStart(), current.currentPeriodEnd(), false, now,
								current.version(), current.createdAt(), current.updatedAt());
				return this.repository.update(changed, now);
			});
	}

	/** customer-service asks before closing a customer: a check inside a write flow, so the primary answers. */
	@Transactional
	public Mono<Long> notCanceled(UUID customerId) {
		return this.repository.countNotCanceled(customerId);
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
