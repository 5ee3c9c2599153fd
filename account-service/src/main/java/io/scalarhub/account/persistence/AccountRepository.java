package io.scalarhub.account.persistence;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import io.scalarhub.account.domain.Account;
import io.scalarhub.account.domain.AccountStatus;
import io.scalarhub.platform.paging.PageQuery;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
public class AccountRepository {

	private static final String COLUMNS = "id, customer_id, currency, name, status, created_at, updated_at";

	private final DatabaseClient db;

	public AccountRepository(DatabaseClient db) {
		this.db = db;
	}

	public Mono<Account> insert(Account account) {
		DatabaseClient.GenericExecuteSpec spec = this.db
			.sql("INSERT INTO account (" + COLUMNS + ") VALUES (:id, :customerId, :currency, :name, :status, "
					+ ":createdAt, :updatedAt) RETURNING " + COLUMNS)
			.bind("id", account.id())
			.bind("customerId", account.customerId())
			.bind("currency", account.currency())
			.bind("status", account.status().name())
			.bind("createdAt", account.createdAt().atOffset(ZoneOffset.UTC))
			.bind("updatedAt", account.updatedAt().atOffset(ZoneOffset.UTC));
		spec = (account.name() != null) ? spec.bind("name", account.name()) : spec.bindNull("name", String.class);
		return spec.map(AccountRepository::toAccount).one();
	}

	public Mono<Account> findById(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM account WHERE id = :id")
			.bind("id", id)
			.map(AccountRepository::toAccount)
			.one();
	}

	public Mono<Account> findByIdForUpdate(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM account WHERE id = :id FOR UPDATE")
			.bind("id", id)
			.map(AccountRepository::toAccount)
			.one();
	}

	public Flux<Account> findPage(UUID customerId, PageQuery page) {
		DatabaseClient.GenericExecuteSpec spec = (customerId == null)
				? this.db.sql("SELECT " + COLUMNS + " FROM account ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
				: this.db.sql("SELECT " + COLUMNS + " FROM account WHERE customer_id = :customerId "
						+ "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
					.bind("customerId", customerId);
		return spec.bind("limit", page.size()).bind("offset", page.offset()).map(AccountRepository::toAccount).all();
	}

	public Mono<Long> count(UUID customerId) {
		DatabaseClient.GenericExecuteSpec spec = (customerId == null) ? this.db.sql("SELECT count(*) FROM account")
				: this.db.sql("SELECT count(*) FROM account WHERE customer_id = :customerId").bind("customerId", customerId);
		return spec.map((row) -> row.get(0, Long.class)).one();
	}

	/** Accounts of the customer that are not closed: what stops the customer from being closed. */
	public Mono<Long> countNotClosed(UUID customerId) {
		return this.db.sql("SELECT count(*) FROM account WHERE customer_id = :customerId AND status <> 'CLOSED'")
			.bind("customerId", customerId)
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	public Mono<Account> updateStatus(Account account) {
		return this.db.sql("UPDATE account SET status = :status, updated_at = :updatedAt WHERE id = :id RETURNING " + COLUMNS)
			.bind("id", account.id())
			.bind("status", account.status().name())
			.bind("updatedAt", account.updatedAt().atOffset(ZoneOffset.UTC))
			.map(AccountRepository::toAccount)
			.one();
	}

	private static Account toAccount(Readable row) {
		return new Account(row.get("id", UUID.class), row.get("customer_id", UUID.class), row.get("currency", String.class),
				row.get("name", String.class), AccountStatus.valueOf(row.get("status", String.class)),
				row.get("created_at", OffsetDateTime.class).toInstant(),
				row.get("updated_at", OffsetDateTime.class).toInstant());
	}

}
