package io.scalarhub.platform.data;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * A transaction's connection that can carry writes to its commit: the writes and the {@code COMMIT} go to
 * PostgreSQL in one simple query ({@code INSERT …; COMMIT}), so a write that needs no answer but "done" costs the
 * transaction no round trip of its own. PostgreSQL runs a simple query's statements in order and stops at the
 * first that fails, so the {@code COMMIT} is reached only by a transaction whose writes all succeeded; a write is
 * also the guard a bare {@code COMMIT} lacks, since it fails in a transaction an earlier error aborted (where a
 * {@code COMMIT} quietly rolls back).
 * <p>
 * The writes are literal SQL (no parameters: a simple query has none; {@link SqlLiterals} quotes values). A
 * rollback drops them, with the rest of the transaction's work.
 */
public interface WritesAtCommit {

	/** Adds a write to the commit, after those added before it. Only while a transaction is open. */
	void writeAtCommit(String sql);

	/** The writes added since the last call, joined with {@code "; "}, and forgets them; null when there are none. */
	String takeWritesAtCommit();

	/** Whether this connection is in a transaction, whose commit will carry what {@link #writeAtCommit} adds. */
	boolean carriesWritesToCommit();

	/**
	 * Runs {@code sql} (a literal write) in the work's current transaction: with its commit where the transaction's
	 * connection carries writes, else now, on that connection, awaited. Either way it is part of the transaction,
	 * and the caller's work completes only as the transaction does.
	 */
	static Mono<Void> write(DatabaseClient db, String sql) {
		return db.inConnection((connection) -> {
			WritesAtCommit carrier = ForwardingConnection.find(connection, WritesAtCommit.class);
			if (carrier != null && carrier.carriesWritesToCommit()) {
				carrier.writeAtCommit(sql);
				return Mono.<Void>empty();
			}
			return Flux.from(connection.createStatement(sql).execute()).concatMap((result) -> result.getRowsUpdated()).then();
		});
	}

}
