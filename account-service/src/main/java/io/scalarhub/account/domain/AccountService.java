package io.scalarhub.account.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.scalarhub.account.client.CustomerClient;
import io.scalarhub.account.client.LedgerClient;
import io.scalarhub.account.persistence.AccountRepository;
import io.scalarhub.platform.client.ServiceUnavailableException;
import io.scalarhub.platform.data.OneStatementRead;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The account use cases. The ledger is told first of a new account and of every status change, and only
 * then is the change recorded here: the ledger is what lets money move, so it is never behind.
 * <p>
 * Each request works on its tenant's accounts only (row-level security): another tenant's account is not
 * found, as if it did not exist. customer-service and the ledger are asked for the same tenant (the platform's
 * service client sends it along), so another tenant's customer is not found either, and a new account is
 * registered in the ledger under the tenant that opened it.
 */
@Service
public class AccountService {

	private final AccountRepository repository;

	private final CustomerClient customers;

	private final LedgerClient ledger;

	private final Clock clock = Clock.systemUTC();

	public AccountService(AccountRepository repository, CustomerClient customers, LedgerClient ledger) {
		this.repository = repository;
		this.customers = customers;
		this.ledger = ledger;
	}

	/**
	 * Opens an account for an active customer of the caller's tenant; 422 otherwise (another tenant's customer
	 * is not found), 503 if customer-service or the ledger is down.
	 */
	@Transactional
	public Mono<Account> open(NewAccount request) {
		return this.customers.status(request.customerId())
			.switchIfEmpty(Mono.error(() -> AccountProblems.customerNotFound(request.customerId())))
			.flatMap((customer) -> {
				if (!customer.active()) {
					return Mono.error(AccountProblems.customerNotActive(request.customerId()));
				}
				Instant now = now();
				Account account = new Account(UUID.randomUUID(), request.customerId(), request.currency(), request.name(),
						AccountStatus.OPEN, now, now);
				return this.ledger.register(account.id(), account.currency()).then(this.repository.insert(account));
			});
	}

	@OneStatementRead
	public Mono<AccountWithBalance> get(UUID id) {
		return this.repository.findById(id)
			.switchIfEmpty(Mono.error(() -> AccountProblems.notFound(id)))
			.flatMap(this::withBalance);
	}

	/** The account with its balance from the ledger; without it (null) if the ledger cannot be asked. */
	public Mono<AccountWithBalance> withBalance(Account account) {
		return this.ledger.account(account.id())
			.map((ledgerAccount) -> new AccountWithBalance(account, ledgerAccount.balance()))
			.defaultIfEmpty(new AccountWithBalance(account, 0L))
			.onErrorResume(ServiceUnavailableException.class,
					(unavailable) -> Mono.just(new AccountWithBalance(account, null)));
	}

	@Transactional(readOnly = true)
	public Mono<PageResponse<AccountWithBalance>> list(UUID customerId, PageQuery page) {
		return this.repository.findPage(customerId, page)
			.collectList()
			.zipWith(this.repository.count(customerId))
			.flatMap((pageAndTotal) -> withBalances(pageAndTotal.getT1())
				.map((content) -> PageResponse.of(content, page, pageAndTotal.getT2())));
	}

	private Mono<List<AccountWithBalance>> withBalances(List<Account> accounts) {
		return this.ledger.accounts(accounts.stream().map(Account::id).toList())
			.map((views) -> views.stream().collect(Collectors.toMap(LedgerClient.LedgerAccountView::id, Function.identity())))
			.map((byId) -> accounts.stream()
				.map((account) -> new AccountWithBalance(account, balanceOf(byId, account.id())))
				.toList())
			.onErrorResume(ServiceUnavailableException.class, (unavailable) -> Mono
				.just(accounts.stream().map((account) -> new AccountWithBalance(account, null)).toList()));
	}

	private static Long balanceOf(Map<UUID, LedgerClient.LedgerAccountView> byId, UUID id) {
		LedgerClient.LedgerAccountView view = byId.get(id);
		return (view != null) ? view.balance() : 0L;
	}

	@Transactional
	public Mono<Account> freeze(UUID id) {
		return transition(id, AccountStatus.FROZEN);
	}

	@Transactional
	public Mono<Account> unfreeze(UUID id) {
		return transition(id, AccountStatus.OPEN);
	}

	/** Closes the account; the ledger refuses (409) while it holds money. */
	@Transactional
	public Mono<Account> close(UUID id) {
		return transition(id, AccountStatus.CLOSED);
	}

	/**
	 * How many of the customer's accounts are not closed. customer-service asks before closing a customer: a
	 * check inside a write flow, so it reads the primary, never a lagging replica.
	 */
	@Transactional
	public Mono<Long> notClosed(UUID customerId) {
		return this.repository.countNotClosed(customerId);
	}

	/**
	 * The account as it is now, for another service's check before a write (subscription-service's): read
	 * from the primary, never a lagging replica.
	 */
	@Transactional
	public Mono<Account> getForCheck(UUID id) {
		return this.repository.findById(id).switchIfEmpty(Mono.error(() -> AccountProblems.notFound(id)));
	}

	/** Asking for the status an account already has is a no-op; nothing leaves CLOSED. */
	private Mono<Account> transition(UUID id, AccountStatus target) {
		return this.repository.findByIdForUpdate(id)
			.switchIfEmpty(Mono.error(() -> AccountProblems.notFound(id)))
			.flatMap((account) -> {
				if (account.status() == target) {
					return Mono.just(account);
				}
				if (account.status() == AccountStatus.CLOSED) {
					return Mono.error(AccountProblems.closed(id));
				}
				return this.ledger.changeStatus(id, target)
					.then(this.repository.updateStatus(account.withStatus(target, now())));
			});
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
