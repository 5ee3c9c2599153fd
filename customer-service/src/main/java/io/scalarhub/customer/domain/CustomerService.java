package io.scalarhub.customer.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.scalarhub.customer.client.AccountClient;
import io.scalarhub.customer.client.SubscriptionClient;
import io.scalarhub.customer.persistence.CustomerRepository;
import io.scalarhub.platform.data.OneStatementRead;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.web.ETags;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The customer use cases. Reads are declared read-only transactions, so that they can be served by a read
 * replica; every write, and every read that a write depends on, runs in a read-write transaction.
 */
@Service
public class CustomerService {

	private final CustomerRepository repository;

	private final AccountClient accounts;

	private final SubscriptionClient subscriptions;

	private final Clock clock;

	public CustomerService(CustomerRepository repository, AccountClient accounts, SubscriptionClient subscriptions) {
		this.repository = repository;
		this.accounts = accounts;
		this.subscriptions = subscriptions;
		this.clock = Clock.systemUTC();
	}

	@Transactional
	public Mono<Customer> create(NewCustomer request) {
		CustomerRules.checkMetadata(request.metadata());
		Instant now = now();
		Customer customer = new Customer(UUID.randomUUID(), request.name(), request.email(), request.phone(),
				request.metadata(), CustomerStatus.ACTIVE, 1, now, now);
		return this.repository.insertUnlessEmailTaken(customer)
			.switchIfEmpty(Mono.error(CustomerProblems::emailTaken));
	}

	@OneStatementRead
	public Mono<Customer> get(UUID id) {
		return this.repository.findById(id).switchIfEmpty(Mono.error(() -> CustomerProblems.notFound(id)));
	}

	/**
	 * The customer as another service's write flow must see it (opening an account): read on the primary,
	 * never on a replica that may not have the customer yet.
	 */
	@Transactional
	public Mono<Customer> getForUpdateCheck(UUID id) {
		return this.repository.findById(id).switchIfEmpty(Mono.error(() -> CustomerProblems.notFound(id)));
	}

	@Transactional(readOnly = true)
	public Mono<PageResponse<Customer>> list(String email, PageQuery page) {
		return this.repository.findPage(email, page)
			.collectList()
			.zipWith(this.repository.count(email))
			.map((pageAndTotal) -> PageResponse.of(pageAndTotal.getT1(), page, pageAndTotal.getT2()));
	}

	/**
	 * Applies a merge patch. {@code ifMatch}, when given, must name the current ETag (412 otherwise); the row is
	 * locked while the patch is applied, so two concurrent patches never overwrite each other unseen.
	 */
	@Transactional
	public Mono<Customer> update(UUID id, String ifMatch, CustomerChanges changes) {
		return this.repository.findByIdForUpdate(id)
			.switchIfEmpty(Mono.error(() -> CustomerProblems.notFound(id)))
			.flatMap((current) -> {
				if (ifMatch != null && !ETags.anyMatches(ifMatch, current.etag())) {
					return Mono.error(ApiProblem.preconditionFailed(
							"The customer has changed since the ETag in If-Match was read; fetch it again."));
				}
				if (current.isClosed()) {
					return Mono.error(CustomerProblems.closed());
				}
				if (changes.isEmpty()) {
					return Mono.just(current);
				}
				Customer updated = changes.applyTo(current, now());
				CustomerRules.checkMetadata(updated.metadata());
				return this.repository.update(updated);
			});
	}

	/**
	 * Closes the customer (DELETE): the record stays, marked CLOSED. Refused (409) while the customer has
	 * accounts that are not closed, as account-service says, or subscriptions that are not canceled, as
	 * subscription-service says (both asked at once); if either cannot be asked, 503, never a guess.
	 * Closing a closed customer is a no-op.
	 */
	@Transactional
	public Mono<Customer> close(UUID id) {
		return this.repository.findByIdForUpdate(id)
			.switchIfEmpty(Mono.error(() -> CustomerProblems.notFound(id)))
			.flatMap((current) -> current.isClosed() ? Mono.just(current)
					: Mono.zip(this.accounts.notClosedAccounts(id), this.subscriptions.activeSubscriptions(id))
						.flatMap((open) -> (open.getT1() > 0) ? Mono.error(CustomerProblems.hasOpenAccounts(id, open.getT1()))
								: (open.getT2() > 0) ? Mono.error(CustomerProblems.hasActiveSubscriptions(id, open.getT2()))
								: this.repository.update(new Customer(current.id(), current.name(), current.email(),
										current.phone(), current.metadata(), CustomerStatus.CLOSED,
										current.version() + 1, current.createdAt(), now()))));
	}

	/** PostgreSQL keeps microseconds: truncating here makes a created customer equal to the one read back. */
	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
