package io.scalarhub.transaction.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.transaction.domain.AccountStatus;
import io.scalarhub.transaction.domain.LedgerAccount;
import io.scalarhub.transaction.domain.LedgerTransaction;
import io.scalarhub.transaction.domain.PostingOutcome;
import io.scalarhub.transaction.domain.TransactionType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * The ledger's tables, through plain SQL: the locking and the one-call posting are visible here. No query
 * names the tenant: row-level security confines each one to the transaction's tenant.
 */
@Repository
public class LedgerRepository {

	private static final String ACCOUNT_COLUMNS = "id, currency, status, balance, updated_at";

	private static final String TRANSACTION_COLUMNS = "t.id, t.type, t.amount, t.currency, t.source_account_id, "
			+ "t.destination_account_id, t.description, t.created_at";

	/** ledger_post's arguments, in its order (the keyed form takes them after the claim's). */
	private static final String POSTING_ARGUMENTS = ":id, :type, :amount, :currency, :source, :destination, "
			+ ":description, :createdAt";

	private final DatabaseClient db;

	public LedgerRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Locks the accounts, always in id order: concurrent postings over the same accounts queue, never deadlock. */
	public Flux<LedgerAccount> lockInIdOrder(List<UUID> ids) {
		return this.db
			.sql("SELECT " + ACCOUNT_COLUMNS + " FROM ledger_account WHERE id = ANY(:ids) ORDER BY id FOR UPDATE")
			.bind("ids", ids.toArray(UUID[]::new))
			.map(LedgerRepository::toAccount)
			.all();
	}

	/**
	 * Posts in one call to {@code ledger_post} (migrations V3 and V7): locks the accounts in id order, checks that each
	 * exists, is open and is in the posting's currency and that the source holds the amount, then writes the
	 * transaction, its entries and the balance changes. The balance CHECK constraint stands behind it.
	 * <p>
	 * {@code id-taken}, and nothing written, when the transaction's id is taken: ids are unique across tenants,
	 * and a row of another tenant is invisible here, so the conflict is the only sign of it (the caller decides
	 * what that means without ever seeing the row; a failed insert would end the transaction instead).
	 */
	public Mono<PostingOutcome> post(LedgerTransaction transaction) {
		return bindPosting(this.db.sql("SELECT outcome, account_id, detail FROM ledger_post(" + POSTING_ARGUMENTS + ")"),
				transaction)
			.map(LedgerRepository::outcome)
			.one();
	}

	/**
	 * The posting in the statement that claims its Idempotency-Key ({@code ledger_post_keyed}, migration V5): the
	 * claim's arguments are left for IdempotentExecutor to bind, and the row holds the claim's columns and, when
	 * the posting ran, its outcome.
	 */
	public DatabaseClient.GenericExecuteSpec postClaimingKey(LedgerTransaction transaction) {
		return bindPosting(this.db.sql("SELECT " + IdempotentExecutor.CLAIM_COLUMNS + ", outcome, account_id, detail "
				+ "FROM ledger_post_keyed(" + IdempotentExecutor.CLAIM_ARGUMENTS + ", " + POSTING_ARGUMENTS + ")"),
				transaction);
	}

	private static DatabaseClient.GenericExecuteSpec bindPosting(DatabaseClient.GenericExecuteSpec spec,
			LedgerTransaction transaction) {
		spec = spec.bind("id", transaction.id())
			.bind("type", transaction.type().name())
			.bind("amount", transaction.amount())
			.bind("currency", transaction.currency())
			.bind("createdAt", transaction.createdAt().atOffset(ZoneOffset.UTC));
		spec = bindNullable(spec, "source", transaction.sourceAccountId(), UUID.class);
		spec = bindNullable(spec, "destination", transaction.destinationAccountId(), UUID.class);
		return bindNullable(spec, "description", transaction.description(), String.class);
	}

	/** The posting's outcome in a row of {@link #post}'s or {@link #postClaimingKey}'s statement. */
	public static PostingOutcome outcome(Readable row) {
		return new PostingOutcome(PostingOutcome.Result.of(row.get("outcome", String.class)),
				row.get("account_id", UUID.class), row.get("detail", String.class));
	}

	public Mono<LedgerTransaction> findTransaction(UUID id) {
		return this.db.sql("SELECT " + TRANSACTION_COLUMNS + " FROM ledger_transaction t WHERE t.id = :id")
			.bind("id", id)
			.map(LedgerRepository::toTransaction)
			.one();
	}

	/** Newest first; with an account, only the transactions that touch it (through its entries). */
	public Flux<LedgerTransaction> findTransactions(UUID accountId, PageQuery page) {
		DatabaseClient.GenericExecuteSpec spec = (accountId == null)
				? this.db.sql("SELECT " + TRANSACTION_COLUMNS + " FROM ledger_transaction t "
						+ "ORDER BY t.created_at DESC, t.id DESC LIMIT :limit OFFSET :offset")
				: this.db.sql("SELECT " + TRANSACTION_COLUMNS + " FROM ledger_entry e "
						+ "JOIN ledger_transaction t ON t.id = e.transaction_id WHERE e.account_id = :account "
						+ "ORDER BY e.created_at DESC, e.transaction_id DESC LIMIT :limit OFFSET :offset")
					.bind("account", accountId);
		return spec.bind("limit", page.size()).bind("offset", page.offset()).map(LedgerRepository::toTransaction).all();
	}

	public Mono<Long> countTransactions(UUID accountId) {
		DatabaseClient.GenericExecuteSpec spec = (accountId == null) ? this.db.sql("SELECT count(*) FROM ledger_transaction")
				: this.db.sql("SELECT count(*) FROM ledger_entry WHERE account_id = :account").bind("account", accountId);
		return spec.map((row) -> row.get(0, Long.class)).one();
	}

	public Mono<LedgerAccount> findAccount(UUID id) {
		return this.db.sql("SELECT " + ACCOUNT_COLUMNS + " FROM ledger_account WHERE id = :id")
			.bind("id", id)
			.map(LedgerRepository::toAccount)
			.one();
	}

	public Flux<LedgerAccount> findAccounts(List<UUID> ids) {
		return this.db.sql("SELECT " + ACCOUNT_COLUMNS + " FROM ledger_account WHERE id = ANY(:ids)")
			.bind("ids", ids.toArray(UUID[]::new))
			.map(LedgerRepository::toAccount)
			.all();
	}

	/**
	 * Inserts the account unless it exists; returns the account as stored either way, or nothing when the id
	 * is another tenant's (taken, yet invisible).
	 */
	public Mono<LedgerAccount> insertIfAbsent(LedgerAccount account) {
		return this.db.sql("INSERT INTO ledger_account (" + ACCOUNT_COLUMNS + ") "
				+ "VALUES (:id, :currency, :status, 0, :updatedAt) ON CONFLICT (id) DO NOTHING")
			.bind("id", account.id())
			.bind("currency", account.currency())
			.bind("status", account.status().name())
			.bind("updatedAt", account.updatedAt().atOffset(ZoneOffset.UTC))
			.then()
			.then(findAccount(account.id()));
	}

	public Mono<LedgerAccount> updateStatus(UUID id, AccountStatus status, Instant now) {
		return this.db.sql("UPDATE ledger_account SET status = :status, updated_at = :now WHERE id = :id RETURNING "
				+ ACCOUNT_COLUMNS)
			.bind("id", id)
			.bind("status", status.name())
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.map(LedgerRepository::toAccount)
			.one();
	}

	private static <T> DatabaseClient.GenericExecuteSpec bindNullable(DatabaseClient.GenericExecuteSpec spec, String name,
			T value, Class<T> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

	private static LedgerAccount toAccount(Readable row) {
		return new LedgerAccount(row.get("id", UUID.class), row.get("currency", String.class),
				AccountStatus.valueOf(row.get("status", String.class)), row.get("balance", Long.class),
				row.get("updated_at", OffsetDateTime.class).toInstant());
	}

	private static LedgerTransaction toTransaction(Readable row) {
		return new LedgerTransaction(row.get("id", UUID.class), TransactionType.valueOf(row.get("type", String.class)),
				row.get("amount", Long.class), row.get("currency", String.class),
				row.get("source_account_id", UUID.class), row.get("destination_account_id", UUID.class),
				row.get("description", String.class), row.get("created_at", OffsetDateTime.class).toInstant());
	}

}
