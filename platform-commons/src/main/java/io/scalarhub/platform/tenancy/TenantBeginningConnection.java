package io.scalarhub.platform.tenancy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.scalarhub.platform.data.ForwardingConnection;
import io.scalarhub.platform.observability.DriverContext;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A connection of {@link TenantScopedTransactionManager}'s, for one transaction. When the transaction's definition
 * carries {@link #TENANT_SETTING}, it begins the transaction and sets the tenant in one simple query:
 * {@code BEGIN READ ONLY; SELECT set_config('scalarhub.tenant_id', '…', true)}. Otherwise (the connection is
 * already in a transaction, or the definition asks for an isolation level or deferrable mode) it leaves the beginning to the
 * driver, and the manager sets the tenant with a statement of its own.
 * <p>
 * That query is not sent when the transaction begins but with its first statement, in the same flight: the driver
 * queues both on the connection without waiting for the first one's answer, so PostgreSQL finds the statement
 * already waiting when it has begun, and a transaction pays one wait fewer (a read two, where it paid three).
 * A transaction that runs no statement sends nothing. If the {@code BEGIN} fails, so does the statement's result;
 * the statement itself then ran outside a transaction with no tenant set, where the policies show and accept no row.
 * <p>
 * Whatever it sends, the driver works under {@link DriverContext#forDriver}: no request's thread locals are
 * restored around each message it handles.
 */
final class TenantBeginningConnection extends ForwardingConnection {

	/** The value for {@code scalarhub.tenant_id}: a UUID's text or {@code system}, never anything quotable. */
	static final Option<String> TENANT_SETTING = Option.valueOf("scalarhub.tenant_id");

	/** The PostgreSQL driver's own attribute (its {@code PostgresTransactionDefinition.DEFERRABLE}). */
	private static final Option<Boolean> DEFERRABLE = Option.valueOf("deferrable");

	private final Connection delegate;

	// written when the transaction begins, read by the manager on whichever thread goes on
	private volatile boolean tenantSetAtBegin;

	// the BEGIN with the tenant, until the transaction's first statement takes it along
	private final AtomicReference<String> pendingBegin = new AtomicReference<>();

	// once that BEGIN is sent: completes when PostgreSQL has answered it, whoever stopped listening
	private volatile Mono<Void> beginAnswered;

	// statements and batches take the pending BEGIN along
	private final GuardedExecution afterBegin = this::afterPendingBegin;

	TenantBeginningConnection(Connection delegate) {
		super(delegate);
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
		this.pendingBegin.set(begin(definition.getAttribute(TransactionDefinition.READ_ONLY)) + "; SELECT set_config('"
				+ TENANT_SETTING.name() + "', '" + literal(tenant) + "', true)");
		this.tenantSetAtBegin = true;
		return Mono.empty();
	}

	/**
	 * {@code work}'s results, with the pending {@code BEGIN} (if any) sent just before it. Both are subscribed at
	 * once, the {@code BEGIN} first, so the driver queues them in that order. The statement's results are handed on
	 * as they come (its messages are sent when its result is read, not when it is subscribed to), so nothing
	 * waits for the {@code BEGIN}'s answer but the merged completion; an error of the {@code BEGIN}'s ends it.
	 */
	private Flux<Result> afterPendingBegin(Supplier<Publisher<? extends Result>> work) {
		return Flux.defer(() -> {
			// the work first: if its execute() refuses (a missing binding), the BEGIN stays pending for the next one
			Publisher<? extends Result> results = work.get();
			String begin = this.pendingBegin.getAndSet(null);
			if (begin == null) {
				return Flux.from(results);
			}
			// sent on a subscription of its own, not the merged one: a cancelled request stops listening, but the
			// commit or rollback that follows must still learn when the BEGIN was answered, for the driver takes the
			// transaction's status from the answers it has read
			Sinks.Empty<Void> answer = Sinks.empty();
			this.beginAnswered = answer.asMono();
			Flux.from(DriverContext.isolated(this.delegate.createStatement(begin)).execute())
				.concatMap((result) -> result.map((row, metadata) -> 1))
				.subscribe(null, answer::tryEmitError, answer::tryEmitEmpty);
			return Flux.merge(answer.asMono().then(Mono.<Result>empty()), results);
		});
	}

	/**
	 * The driver's commit or rollback, once the BEGIN this connection sent has been answered: until then the driver
	 * believes no transaction is open and would skip it, and a cancelled request would leave its transaction
	 * (and its locks) open on a pooled connection. A transaction whose BEGIN was never sent ran nothing: there is
	 * nothing to end.
	 */
	private Mono<Void> end(Supplier<Publisher<Void>> ending) {
		return Mono.defer(() -> {
			if (this.pendingBegin.getAndSet(null) != null) {
				return Mono.empty();
			}
			Mono<Void> answered = this.beginAnswered;
			this.beginAnswered = null;
			Mono<Void> ended = Mono.defer(() -> DriverContext.isolated(ending.get()));
			// whether the BEGIN succeeded or not, the driver then knows; its error was the statement's to report
			return answered == null ? ended : answered.onErrorResume((ex) -> Mono.empty()).then(ended);
		});
	}

	/**
	 * The pending {@code BEGIN}, sent on its own and awaited, before work that is not a statement (that work is
	 * deferred until then: the driver reads the transaction's status when it is subscribed to).
	 */
	private Mono<Void> sendPendingBegin() {
		return afterPendingBegin(Flux::<Result>empty).then();
	}

	/** What the PostgreSQL driver sends for an access mode alone. */
	private static String begin(Boolean readOnly) {
		if (readOnly == null) {
			return "BEGIN";
		}
		return readOnly ? "BEGIN READ ONLY" : "BEGIN READ WRITE";
	}

	/** The setting as an SQL literal: it is a UUID or a word, so it never holds a quote; anything else is refused. */
	static String literal(String setting) {
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
		this.pendingBegin.set(null);
		this.beginAnswered = null;
		return DriverContext.isolated(this.delegate.close());
	}

	@Override
	public Publisher<Void> commitTransaction() {
		return end(this.delegate::commitTransaction);
	}

	@Override
	public Batch createBatch() {
		return this.afterBegin.guard(this.delegate.createBatch());
	}

	@Override
	public Publisher<Void> createSavepoint(String name) {
		return sendPendingBegin().then(Mono.defer(() -> Mono.from(this.delegate.createSavepoint(name))));
	}

	@Override
	public Statement createStatement(String sql) {
		return this.afterBegin.guard(DriverContext.isolated(this.delegate.createStatement(sql)));
	}

	@Override
	public boolean isAutoCommit() {
		return this.pendingBegin.get() == null && this.beginAnswered == null && this.delegate.isAutoCommit();
	}

	@Override
	public Publisher<Void> releaseSavepoint(String name) {
		return sendPendingBegin().then(Mono.defer(() -> Mono.from(this.delegate.releaseSavepoint(name))));
	}

	@Override
	public Publisher<Void> rollbackTransaction() {
		return end(this.delegate::rollbackTransaction);
	}

	@Override
	public Publisher<Void> rollbackTransactionToSavepoint(String name) {
		return sendPendingBegin().then(Mono.defer(() -> Mono.from(this.delegate.rollbackTransactionToSavepoint(name))));
	}

	@Override
	public Publisher<Void> setAutoCommit(boolean autoCommit) {
		return DriverContext.isolated(this.delegate.setAutoCommit(autoCommit));
	}

	@Override
	public Publisher<Void> setLockWaitTimeout(Duration timeout) {
		return sendPendingBegin().then(Mono.defer(() -> Mono.from(this.delegate.setLockWaitTimeout(timeout))));
	}

	@Override
	public Publisher<Void> setStatementTimeout(Duration timeout) {
		return sendPendingBegin().then(Mono.defer(() -> Mono.from(this.delegate.setStatementTimeout(timeout))));
	}

	@Override
	public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
		return sendPendingBegin().then(Mono.defer(() -> Mono.from(this.delegate.setTransactionIsolationLevel(isolationLevel))));
	}

}
