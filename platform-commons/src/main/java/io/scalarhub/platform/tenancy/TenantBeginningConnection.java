package io.scalarhub.platform.tenancy;

import java.time.Duration;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.platform.observability.DriverContext;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * A connection of {@link TenantScopedTransactionManager}'s, for one transaction. When the transaction's definition
 * carries {@link #TENANT_SETTING}, it begins the transaction and sets the tenant in one simple query, one round
 * trip: {@code BEGIN READ ONLY; SELECT set_config('scalarhub.tenant_id', '…', true)}. Otherwise (the connection is
 * already in a transaction, or the definition asks for an isolation level or deferrable mode) it leaves the beginning to the
 * driver, and the manager sets the tenant with a statement of its own.
 * <p>
 * Whatever it sends, the driver works under {@link DriverContext#forDriver}: no request's thread locals are
 * restored around each message it handles.
 */
final class TenantBeginningConnection implements Connection, Wrapped<Connection> {

	/** The value for {@code scalarhub.tenant_id}: a UUID's text or {@code system}, never anything quotable. */
	static final Option<String> TENANT_SETTING = Option.valueOf("scalarhub.tenant_id");

	/** The PostgreSQL driver's own attribute (its {@code PostgresTransactionDefinition.DEFERRABLE}). */
	private static final Option<Boolean> DEFERRABLE = Option.valueOf("deferrable");

	private final Connection delegate;

	// written when the BEGIN completes, read by the manager on whichever thread goes on
	private volatile boolean tenantSetAtBegin;

	TenantBeginningConnection(Connection delegate) {
		this.delegate = delegate;
	}

	/** Whether this connection's {@link #beginTransaction(TransactionDefinition)} set the tenant itself. */
	boolean tenantSetAtBegin() {
		return this.tenantSetAtBegin;
	}

	@Override
	public Publisher<Void> beginTransaction(TransactionDefinition definition) {
		String tenant = definition.getAttribute(TENANT_SETTING);
		// a connection outside a transaction is in autocommit (the driver skips BEGIN on one that is not); an
		// isolation level or deferrable mode is the driver's to spell
		if (tenant == null || !this.delegate.isAutoCommit()
				|| definition.getAttribute(TransactionDefinition.ISOLATION_LEVEL) != null
				|| definition.getAttribute(DEFERRABLE) != null) {
			this.tenantSetAtBegin = false;
			return DriverContext.isolated(this.delegate.beginTransaction(definition));
		}
		String sql = begin(definition.getAttribute(TransactionDefinition.READ_ONLY)) + "; SELECT set_config('"
				+ TENANT_SETTING.name() + "', '" + literal(tenant) + "', true)";
		return Flux.from(DriverContext.isolated(this.delegate.createStatement(sql)).execute())
			.concatMap((result) -> result.map((row, metadata) -> 1))
			.then()
			.doOnSuccess((done) -> this.tenantSetAtBegin = true);
	}

	/** What the PostgreSQL driver sends for an access mode alone. */
	private static String begin(Boolean readOnly) {
		if (readOnly == null) {
			return "BEGIN";
		}
		return readOnly ? "BEGIN READ ONLY" : "BEGIN READ WRITE";
	}

	/** The setting as an SQL literal: it is a UUID or a word, so it never holds a quote; anything else is refused. */
	private static String literal(String setting) {
		for (int i = 0; i < setting.length(); i++) {
			char c = setting.charAt(i);
			if (!(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
				throw new IllegalArgumentException("not a tenant setting: " + setting);
			}
		}
		return setting;
	}

	@Override
	public Publisher<Void> beginTransaction() {
		this.tenantSetAtBegin = false;
		return DriverContext.isolated(this.delegate.beginTransaction());
	}

	@Override
	public Publisher<Void> close() {
		return DriverContext.isolated(this.delegate.close());
	}

	@Override
	public Publisher<Void> commitTransaction() {
		return DriverContext.isolated(this.delegate.commitTransaction());
	}

	@Override
	public Batch createBatch() {
		return this.delegate.createBatch();
	}

	@Override
	public Publisher<Void> createSavepoint(String name) {
		return this.delegate.createSavepoint(name);
	}

	@Override
	public Statement createStatement(String sql) {
		return DriverContext.isolated(this.delegate.createStatement(sql));
	}

	@Override
	public boolean isAutoCommit() {
		return this.delegate.isAutoCommit();
	}

	@Override
	public ConnectionMetadata getMetadata() {
		return this.delegate.getMetadata();
	}

	@Override
	public IsolationLevel getTransactionIsolationLevel() {
		return this.delegate.getTransactionIsolationLevel();
	}

	@Override
	public Publisher<Void> releaseSavepoint(String name) {
		return this.delegate.releaseSavepoint(name);
	}

	@Override
	public Publisher<Void> rollbackTransaction() {
		return DriverContext.isolated(this.delegate.rollbackTransaction());
	}

	@Override
	public Publisher<Void> rollbackTransactionToSavepoint(String name) {
		return this.delegate.rollbackTransactionToSavepoint(name);
	}

	@Override
	public Publisher<Void> setAutoCommit(boolean autoCommit) {
		return DriverContext.isolated(this.delegate.setAutoCommit(autoCommit));
	}

	@Override
	public Publisher<Void> setLockWaitTimeout(Duration timeout) {
		return this.delegate.setLockWaitTimeout(timeout);
	}

	@Override
	public Publisher<Void> setStatementTimeout(Duration timeout) {
		return this.delegate.setStatementTimeout(timeout);
	}

	@Override
	public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
		return this.delegate.setTransactionIsolationLevel(isolationLevel);
	}

	@Override
	public Publisher<Boolean> validate(ValidationDepth depth) {
		return this.delegate.validate(depth);
	}

	@Override
	public Connection unwrap() {
		return this.delegate;
	}

}
