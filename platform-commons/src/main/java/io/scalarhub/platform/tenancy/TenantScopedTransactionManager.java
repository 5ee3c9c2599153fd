package io.scalarhub.platform.tenancy;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.InfrastructureProxy;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.support.DelegatingTransactionDefinition;

/**
 * The one place where every service's data access is scoped to a tenant. Each transaction begins by setting
 * {@code scalarhub.tenant_id} (transaction-local) to the {@link TenantScope} of the work it serves; PostgreSQL's
 * row-level security policies on every business table then show and accept only that tenant's rows, and
 * new rows take it as their {@code tenant_id} by default. No query names the tenant, so none can forget it.
 * <p>
 * Work without a scope is a bug: it is refused before a connection is taken. A statement outside any
 * transaction runs under the session's setting, which the connection sets to the work's scope, or to none
 * ({@link TenantSessionConnections}).
 * <p>
 * The tenant goes to PostgreSQL with the {@code BEGIN}, in the same simple query ({@link TenantBeginningConnection}):
 * a transaction costs no round trip for its scope. Only a transaction the driver must begin itself (an isolation
 * level) sets it with a statement of its own.
 * <p>
 * It also marks read-only transactions as such before the connection is chosen, for the read/write routing
 * connection factory (Spring marks them only after {@code doBegin}, too late to pick the replica).
 */
public class TenantScopedTransactionManager extends R2dbcTransactionManager {

	static final String SET_TENANT = "SELECT set_config('scalarhub.tenant_id', $1, true)";

	public TenantScopedTransactionManager(ConnectionFactory connectionFactory) {
		super(new TenantBeginningConnections(connectionFactory));
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
			return super.doBegin(synchronizationManager, transaction,
					new ScopedDefinition(definition, TenantScope.in(context).orElseThrow()));
		});
	}

	@Override
	protected io.r2dbc.spi.TransactionDefinition createTransactionDefinition(TransactionDefinition definition) {
		io.r2dbc.spi.TransactionDefinition driverDefinition = super.createTransactionDefinition(definition);
		if (!(definition instanceof ScopedDefinition scoped)) {
			return driverDefinition;
		}
		String setting = scoped.scope.setting();
		return new io.r2dbc.spi.TransactionDefinition() {
			@Override
			@SuppressWarnings("unchecked")
			public <T> T getAttribute(Option<T> option) {
				return TenantBeginningConnection.TENANT_SETTING.equals(option) ? (T) setting
						: driverDefinition.getAttribute(option);
			}
		};
	}

	@Override
	protected Mono<Void> prepareTransactionalConnection(Connection connection, TransactionDefinition definition) {
		// called when the chain is assembled, before the BEGIN is sent: decide once it has been
		return super.prepareTransactionalConnection(connection, definition)
			.then(Mono.deferContextual((context) -> {
				if (connection instanceof TenantBeginningConnection beginning && beginning.tenantSetAtBegin()) {
					return Mono.empty();
				}
				TenantScope scope = TenantScope.in(context).orElseThrow();
				return Flux.from(connection.createStatement(SET_TENANT).bind(0, scope.setting()).execute())
					.flatMap((result) -> result.map((row, metadata) -> 1))
					.then();
			}));
	}

	/** A transaction's definition with the scope it serves, for {@link #createTransactionDefinition}. */
	private static final class ScopedDefinition extends DelegatingTransactionDefinition {

		private final TenantScope scope;

		ScopedDefinition(TransactionDefinition definition, TenantScope scope) {
			super(definition);
			this.scope = scope;
		}

	}

	/**
	 * The manager's connection factory: each connection it hands out begins its transaction with the tenant. To
	 * Spring's transaction synchronization it is the factory it wraps ({@link InfrastructureProxy}), so the
	 * {@code DatabaseClient}, built on that one, finds the transaction's connection.
	 */
	private static final class TenantBeginningConnections
			implements ConnectionFactory, Wrapped<ConnectionFactory>, InfrastructureProxy {

		private final ConnectionFactory delegate;

		TenantBeginningConnections(ConnectionFactory delegate) {
			this.delegate = delegate;
		}

		@Override
		public Publisher<? extends Connection> create() {
			return Mono.from(this.delegate.create()).map((connection) -> {
				// a transaction sets its tenant with its BEGIN: the session's own setting is not needed
				TenantSessionConnections.leaveScopeToTransactions(connection);
				return new TenantBeginningConnection(connection);
			});
		}

		@Override
		public ConnectionFactoryMetadata getMetadata() {
			return this.delegate.getMetadata();
		}

		@Override
		public ConnectionFactory unwrap() {
			return this.delegate;
		}

		@Override
		public Object getWrappedObject() {
			return this.delegate;
		}

	}

}
