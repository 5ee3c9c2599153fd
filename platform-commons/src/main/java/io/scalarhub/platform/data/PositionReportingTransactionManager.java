package io.scalarhub.platform.data;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import io.scalarhub.platform.tenancy.TenantScopedTransactionManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.connection.ConnectionHolder;
import org.springframework.transaction.reactive.GenericReactiveTransaction;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * The tenant-scoped transaction manager of an app with a read replica. A read-write transaction of a request
 * that carries a {@link CommitPosition} commits with {@code SELECT 1; COMMIT; SELECT pg_current_wal_lsn()}: one
 * simple query, one round trip, on the connection that wrote. PostgreSQL stops at the first statement that
 * fails, so the position is read only after a commit that succeeded, and it is at or past the commit record: a
 * replica that has replayed that far shows the write. The leading {@code SELECT 1} fails in a transaction that
 * an earlier error aborted, where a bare {@code COMMIT} would quietly roll back (the driver's own commit checks
 * for that; a plain statement cannot see the command tag). Every other commit is the plain one.
 */
public class PositionReportingTransactionManager extends TenantScopedTransactionManager {

	static final String COMMIT_REPORTING_POSITION = "SELECT 1; COMMIT; SELECT pg_current_wal_lsn()::text";

	public PositionReportingTransactionManager(ConnectionFactory connectionFactory) {
		super(connectionFactory);
	}

	@Override
	protected Mono<Void> doCommit(TransactionSynchronizationManager synchronizationManager,
			GenericReactiveTransaction status) {
		return Mono.deferContextual((context) -> {
			CommitPosition position = context.getOrDefault(CommitPosition.class, null);
			ConnectionHolder holder = (ConnectionHolder) synchronizationManager.getResource(obtainConnectionFactory());
			if (position == null || status.isReadOnly() || holder == null) {
				return super.doCommit(synchronizationManager, status);
			}
			Connection connection = holder.getConnection();
			return Flux.from(connection.createStatement(COMMIT_REPORTING_POSITION).execute())
				.concatMap((result) -> result.map((row, metadata) -> String.valueOf(row.get(0))))
				.last("")
				.doOnNext((text) -> {
					Lsn lsn = Lsn.parse(text);
					if (lsn != null) {
						position.record(lsn);
					}
				})
				.then()
				.onErrorMap(R2dbcException.class, (ex) -> translateException("R2DBC commit", ex));
		});
	}

}
