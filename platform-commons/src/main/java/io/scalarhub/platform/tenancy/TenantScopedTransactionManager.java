package io.scalarhub.platform.tenancy;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * The one place where every service's data access is scoped to a tenant. Each transaction begins by setting
 * {@code scalarhub.tenant_id} (transaction-local) to the {@link TenantScope} of the work it serves; PostgreSQL's
 * row-level security policies on every business table then show and accept only that tenant's rows, and
 * new rows take it as their {@code tenant_id} by default. No query names the tenant, so none can forget it.
 * <p>
 * Work without a scope is a bug: it is refused before a connection is taken. A statement outside any
 * transaction runs with no tenant set, and the policies make PostgreSQL reject it.
 * <p>
 * It also marks read-only transactions as such before the connection is chosen, for the read/write routing
 * connection factory (Spring marks them only after {@code doBegin}, too late to pick the replica).
 */
public class TenantScopedTransactionManager extends R2dbcTransactionManager {

	static final String SET_TENANT = "SELECT set_config('scalarhub.tenant_id', $1, true)";

	public TenantScopedTransactionManager(ConnectionFactory connectionFactory) {
		super(connectionFactory);
	}

	@Override
	protected Mono<Void> doBegin(TransactionSynchronizationManager synchronizationManager, Object transaction,
			TransactionDefinition definition) {
		return Mono.deferContextual((context) -> {
			if (TenantScope.in(context).isEmpty()) {
				return Mono.error(new IllegalStateException("A transaction was begun outside any tenant scope ("
						+ definition.getName() + "): requests get theirs from the token, jobs must declare one"));
			}
			synchronizationManager.setCurrentTransactionReadOnly(definition.isReadOnly());
			return super.doBegin(synchronizationManager, transaction, definition);
		});
	}

	@Override
	protected Mono<Void> prepareTransactionalConnection(Connection connection, TransactionDefinition definition) {
		return super.prepareTransactionalConnection(connection, definition)
			.then(Mono.deferContextual((context) -> {
				TenantScope scope = TenantScope.in(context).orElseThrow();
				return Flux.from(connection.createStatement(SET_TENANT).bind(0, scope.setting()).execute())
					.flatMap((result) -> result.map((row, metadata) -> 1))
					.then();
			}));
	}

}
