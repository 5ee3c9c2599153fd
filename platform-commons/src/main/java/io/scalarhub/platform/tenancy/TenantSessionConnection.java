package io.scalarhub.platform.tenancy;

import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.platform.data.ForwardingConnection;
import io.scalarhub.platform.observability.DriverContext;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One checkout of a pooled connection ({@link TenantSessionConnections}): outside a transaction, its statements run
 * under the session's {@code scalarhub.tenant_id}, which it sets to the scope of the work that took it before its
 * first statement, unless the session already holds exactly that.
 * <p>
 * Fail closed, because a session setting outlives the checkout:
 * <ul>
 * <li>the set is awaited: a statement goes out only once PostgreSQL has confirmed its scope, and a failed set fails
 * the statement unsent;</li>
 * <li>what a session holds is remembered only once confirmed, and only for a set made in autocommit: a transaction's
 * own (local) setting ends with it and leaves the session's as it was, so nothing else changes it;</li>
 * <li>work with no scope sets none (the empty setting, which the policies' {@code scalarhub_tenant()} refuses).</li>
 * </ul>
 * Inside a transaction, the transaction's own setting, made with its {@code BEGIN} ({@link TenantBeginningConnection}),
 * rules: a transaction manager's connection sends its statements as they are.
 * <p>
 * The driver works under {@link DriverContext#forDriver}, as in a transaction.
 */
final class TenantSessionConnection extends ForwardingConnection {

	/** The setting for work with no scope: {@code scalarhub_tenant()} refuses it. */
	static final String NO_TENANT = "";

	private final Connection delegate;

	/** The driver's connection under the pool and its wrappers: the session the setting lives in. */
	private final Connection session;

	private final String setting;

	private final Cache<Connection, String> sessionSettings;

	private volatile boolean transactional;

	// statements and batches run once the session holds the scope
	private final GuardedExecution inScope = this::inScope;

	TenantSessionConnection(Connection delegate, String setting, Cache<Connection, String> sessionSettings) {
		super(delegate);
		this.delegate = delegate;
		this.session = innermost(delegate);
		this.setting = setting;
		this.sessionSettings = sessionSettings;
	}

	private static Connection innermost(Connection connection) {
		Connection current = connection;
		while (current instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof Connection inner) {
			current = inner;
		}
		return current;
	}

	void leaveScopeToTransactions() {
		this.transactional = true;
	}

	/**
	 * {@code work}'s results, once the session holds this checkout's scope. Sent as it is when it already does;
	 * otherwise after {@code set_config(…, false)} has been answered. A session inside a transaction this checkout
	 * did not begin (none should be) is set every time and never remembered: that transaction could roll the setting
	 * back.
	 */
	private Flux<Result> inScope(Supplier<Publisher<? extends Result>> work) {
		return Flux.<Result>defer(() -> {
			boolean autocommit = this.session.isAutoCommit();
			String held = this.sessionSettings.getIfPresent(this.session);
			if (autocommit && this.setting.equals(held)) {
				return Flux.<Result>from(work.get());
			}
			if (held != null) {
				this.sessionSettings.invalidate(this.session);
			}
			String set = "SELECT set_config('" + TenantBeginningConnection.TENANT_SETTING.name() + "', '"
					+ TenantBeginningConnection.literal(this.setting) + "', false)";
			return Flux.from(DriverContext.isolated(this.delegate.createStatement(set)).execute())
				.concatMap((result) -> result.map((row, metadata) -> 1))
				.then(Mono.fromRunnable(() -> {
					if (autocommit) {
						this.sessionSettings.put(this.session, this.setting);
					}
				}))
				.thenMany(Flux.<Result>defer(() -> Flux.from(work.get())));
		});
	}

	@Override
	public Statement createStatement(String sql) {
		if (this.transactional) {
			return this.delegate.createStatement(sql);
		}
		return this.inScope.guard(DriverContext.isolated(this.delegate.createStatement(sql)));
	}

	@Override
	public Batch createBatch() {
		return this.transactional ? this.delegate.createBatch()
				: this.inScope.guard(this.delegate.createBatch());
	}

	@Override
	public Publisher<Void> close() {
		return this.transactional ? this.delegate.close() : DriverContext.isolated(this.delegate.close());
	}

}
