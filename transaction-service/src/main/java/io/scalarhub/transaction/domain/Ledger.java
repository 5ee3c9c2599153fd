package io.scalarhub.transaction.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import io.scalarhub.platform.data.OneStatementRead;
import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.transaction.persistence.LedgerRepository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The ledger's use cases. Every posting locks the accounts it touches in one order (by id), so two
 * transfers between the same accounts in opposite directions queue instead of deadlocking; checks status,
 * currency and funds under those locks; and applies its entries and balance changes in the same
 * transaction. Balances are therefore never negative, money is never created or destroyed, and no
 * serialization failure can occur (READ COMMITTED with explicit row locks).
 * <p>
 * Everything here is one tenant's ledger: row-level security shows each transaction only its tenant's
 * accounts and postings, so another tenant's account is "not found" like one that never existed; and the
 * database's foreign keys, which include the tenant, would refuse a posting that named it anyway.
 */
@Service
public class Ledger {

	private final LedgerRepository repository;

	private final Clock clock = Clock.systemUTC();

	public Ledger(LedgerRepository repository) {
		this.repository = repository;
	}

	/**
	 * The transaction {@code request} becomes once posted: its shape checked (400 otherwise), its id and time
	 * chosen. Nothing is written: {@link #post(LedgerTransaction)} does, and the caller can answer for it before.
	 */
	public LedgerTransaction prepare(NewTransaction request) {
		checkShape(request);
		return new LedgerTransaction(UUID.randomUUID(), request.type(), request.amount(), request.currency(),
				request.sourceAccountId(), request.destinationAccountId(), request.description(), now());
	}

	/** Posts a transaction {@link #prepare(NewTransaction) prepared} here; a refusal is the API's problem. */
	@Transactional
	public Mono<LedgerTransaction> post(LedgerTransaction transaction) {
		return this.repository.post(transaction).flatMap((outcome) -> posted(transaction, outcome));
	}

	/**
	 * A prepared transaction's posting in the statement that claims the request's Idempotency-Key (one call to the
	 * database for both, LedgerRepository#postClaimingKey), for IdempotentExecutor to run in its transaction.
	 */
	public IdempotentExecutor.ClaimingEffect postClaimingKey(LedgerTransaction transaction) {
		return new IdempotentExecutor.ClaimingEffect() {

			@Override
			public DatabaseClient.GenericExecuteSpec statement() {
				return Ledger.this.repository.postClaimingKey(transaction);
			}

			@Override
			public Mono<?> outcome(Readable row) {
				return posted(transaction, LedgerRepository.outcome(row));
			}

		};
	}

	/** A random id's posting: its outcome as the API's answer (the transaction) or problem. */
	private static Mono<LedgerTransaction> posted(LedgerTransaction transaction, PostingOutcome outcome) {
		return outcome(transaction, outcome).switchIfEmpty(
				Mono.error(() -> new IllegalStateException("a random transaction id was taken: " + transaction.id())));
	}

	/**
	 * Charges {@code accountId} once for {@code chargeId}: the caller derives the id from what is being paid
	 * for (subscription-service: the subscription and its period), so however often the charge is asked
	 * for — retries, a resumed billing run, a replayed request — it is posted at most once, for as long as
	 * the ledger exists (not only while an idempotency record is retained). Asking again answers the
	 * charge already posted; the same id for another account, amount or currency is a 409. The posting is
	 * a WITHDRAWAL: the money leaves the customer's account for the platform.
	 * <p>
	 * Charge ids are unique across tenants. An id another tenant has used is a 409 of its own: this tenant can
	 * neither post it nor see anything of that charge.
	 */
	@Transactional
	public Mono<Charged> charge(UUID chargeId, UUID accountId, long amount, String currency, String description) {
		// the account's lock first: two requests for one charge queue here, and the second sees the first's posting
		return this.repository.lockInIdOrder(List.of(accountId))
			.then(this.repository.findTransaction(chargeId))
			.map((existing) -> postedBefore(existing, chargeId, accountId, amount, currency))
			.switchIfEmpty(Mono.defer(() -> write(new LedgerTransaction(chargeId, TransactionType.WITHDRAWAL, amount,
					currency, accountId, null, description, now()))
				.map((posted) -> new Charged(posted, true))
				// the id was taken after all: by a concurrent charge of this tenant to another account (visible
				// now that it committed), or by another tenant (invisible, and it stays so)
				.switchIfEmpty(Mono.defer(() -> this.repository.findTransaction(chargeId)
					.map((existing) -> postedBefore(existing, chargeId, accountId, amount, currency))
					.switchIfEmpty(Mono.error(() -> LedgerProblems.chargeIdInUse(chargeId)))))));
	}

	/** The charge posted before with this id, if it was posted with these terms; a 409 otherwise. */
	private static Charged postedBefore(LedgerTransaction existing, UUID chargeId, UUID accountId, long amount,
			String currency) {
		if (existing.type() != TransactionType.WITHDRAWAL || !accountId.equals(existing.sourceAccountId())
				|| existing.amount() != amount || !existing.currency().equals(currency)) {
			throw LedgerProblems.stateConflict("Charge " + chargeId + " was posted with other terms.");
		}
		return new Charged(existing, false);
	}

	/** A charge's transaction, and whether this request posted it (false: it was posted before). */
	public record Charged(LedgerTransaction transaction, boolean posted) {
	}

	/**
	 * Posts the transaction; empty, with nothing moved, when its id is taken. The locking, the checks and the
	 * writes are one call to the database (LedgerRepository#post); this maps its outcome to the API's problems.
	 */
	private Mono<LedgerTransaction> write(LedgerTransaction transaction) {
		return this.repository.post(transaction).flatMap((outcome) -> outcome(transaction, outcome));
	}

	/** The posting's outcome as the API sees it: the transaction, empty when its id was taken, or a refusal. */
	private static Mono<LedgerTransaction> outcome(LedgerTransaction transaction, PostingOutcome outcome) {
		return switch (outcome.result()) {
			case POSTED -> Mono.just(transaction);
			case ID_TAKEN -> Mono.empty();
			case UNKNOWN_ACCOUNT -> Mono.error(LedgerProblems.unknownAccount(outcome.accountId()));
			case NOT_OPEN -> Mono.error(LedgerProblems.notOpen(outcome.accountId(), AccountStatus.valueOf(outcome.detail())));
			case CURRENCY_MISMATCH ->
				Mono.error(LedgerProblems.currencyMismatch(outcome.accountId(), outcome.detail(), transaction.currency()));
			case INSUFFICIENT_FUNDS -> Mono.error(LedgerProblems.insufficientFunds(outcome.accountId()));
		};
	}

	@OneStatementRead
	public Mono<LedgerTransaction> get(UUID id) {
		return this.repository.findTransaction(id).switchIfEmpty(Mono.error(() -> ApiProblem.notFound("transaction", id)));
	}

	@Transactional(readOnly = true)
	public Mono<PageResponse<LedgerTransaction>> list(UUID accountId, PageQuery page) {
		return this.repository.findTransactions(accountId, page)
			.collectList()
			.zipWith(this.repository.countTransactions(accountId))
			.map((pageAndTotal) -> PageResponse.of(pageAndTotal.getT1(), page, pageAndTotal.getT2()));
	}

	@OneStatementRead
	public Mono<LedgerAccount> account(UUID id) {
		return this.repository.findAccount(id).switchIfEmpty(Mono.error(() -> ApiProblem.notFound("account", id)));
	}

	@OneStatementRead
	public Flux<LedgerAccount> accounts(List<UUID> ids) {
		return this.repository.findAccounts(ids);
	}

	/**
	 * Opens an account in the ledger (account-service does, before it acknowledges the account), in the
	 * caller's tenant. Idempotent: registering it again with the same currency changes nothing; with another
	 * currency it is a 409, and so is an id another tenant's account has (nothing of it is shown).
	 */
	@Transactional
	public Mono<LedgerAccount> register(UUID id, String currency) {
		return this.repository.insertIfAbsent(new LedgerAccount(id, currency, AccountStatus.OPEN, 0, now()))
			.switchIfEmpty(Mono.error(() -> LedgerProblems.stateConflict("Account id " + id + " is taken.")))
			.flatMap((account) -> account.currency().equals(currency) ? Mono.just(account)
					: Mono.error(LedgerProblems.stateConflict("Account " + id + " is registered in " + account.currency() + ".")));
	}

	/**
	 * Freezes, unfreezes or closes an account. Closing needs a zero balance, checked under the row lock so no
	 * posting can slip in between; a closed account stays closed. Setting the current status again is a no-op.
	 */
	@Transactional
	public Mono<LedgerAccount> changeStatus(UUID id, AccountStatus status) {
		return this.repository.lockInIdOrder(List.of(id))
			.next()
			.switchIfEmpty(Mono.error(() -> ApiProblem.notFound("account", id)))
			.flatMap((account) -> {
				if (account.status() == status) {
					return Mono.just(account);
				}
				if (account.status() == AccountStatus.CLOSED) {
					return Mono.error(LedgerProblems.stateConflict("Account " + id + " is closed for good."));
				}
				if (status == AccountStatus.CLOSED && account.balance() != 0) {
					return Mono.error(LedgerProblems.stateConflict(
							"Account " + id + " holds " + account.balance() + " " + account.currency()
									+ "; only an account at zero balance can be closed."));
				}
				return this.repository.updateStatus(id, status, now());
			});
	}

	private static void checkShape(NewTransaction request) {
		if (request.type().needsSource() != (request.sourceAccountId() != null)) {
			throw ApiProblem.validation("sourceAccountId",
					request.type().needsSource() ? "is required for a " + request.type() : "must be absent for a " + request.type());
		}
		if (request.type().needsDestination() != (request.destinationAccountId() != null)) {
			throw ApiProblem.validation("destinationAccountId", request.type().needsDestination()
					? "is required for a " + request.type() : "must be absent for a " + request.type());
		}
		if (request.sourceAccountId() != null && request.sourceAccountId().equals(request.destinationAccountId())) {
			throw ApiProblem.validation("destinationAccountId", "must differ from sourceAccountId");
		}
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
