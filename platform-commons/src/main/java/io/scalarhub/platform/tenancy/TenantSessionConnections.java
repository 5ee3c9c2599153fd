package io.scalarhub.platform.tenancy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.scalarhub.platform.data.ForwardingConnection;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * A pool's connections, scoped to a tenant outside transactions too. Each connection it hands out runs its
 * statements outside a transaction under the {@link TenantScope} of the work that took it (the
 * {@link TenantSessionConnection session's} {@code scalarhub.tenant_id}), or under none when that work has no scope.
 * So a read that needs no transaction (one statement: no snapshot to share) pays neither {@code BEGIN} nor
 * {@code COMMIT}, and is as scoped as one in a transaction.
 * <p>
 * It remembers, per physical connection, which scope that connection's session holds, once PostgreSQL has
 * confirmed it: a connection taken again for the same tenant sends nothing more than its statement. So nothing else
 * may set {@code scalarhub.tenant_id} for a session: that memory would then be wrong. Transactions set it for
 * themselves only ({@code set_config(…, true)}), which leaves the session's as it was.
 */
// not Wrapped: Boot's pool metrics look through wrappers for a pool, and would count the pool again under this bean
public final class TenantSessionConnections implements ConnectionFactory {

	private final ConnectionFactory pool;

	/**
	 * What each physical connection's session was last confirmed to hold, forgotten with the connection. One for the
	 * process, not one per factory: a session's setting is the connection's, whichever wrapper set it.
	 */
	private static final Cache<Connection, String> SESSION_SETTINGS = Caffeine.newBuilder().weakKeys().build();

	private TenantSessionConnections(ConnectionFactory pool) {
		this.pool = pool;
	}

	/** {@code pool}, its connections scoped outside transactions; {@code pool} itself if it is already. */
	public static ConnectionFactory of(ConnectionFactory pool) {
		return (pool instanceof TenantSessionConnections) ? pool : new TenantSessionConnections(pool);
	}

	/**
	 * Marks {@code connection} (or the scoped connection it wraps) as a transaction manager's: its transactions set
	 * the tenant themselves, so its statements go out as they are.
	 */
	static void leaveScopeToTransactions(Connection connection) {
		TenantSessionConnection scoped = ForwardingConnection.find(connection, TenantSessionConnection.class);
		if (scoped != null) {
			scoped.leaveScopeToTransactions();
		}
	}

	@Override
	public Publisher<? extends Connection> create() {
		return Mono.deferContextual((context) -> {
			String setting = TenantScope.in(context).map(TenantScope::setting).orElse(TenantSessionConnection.NO_TENANT);
			return Mono.from(this.pool.create())
				.map((connection) -> new TenantSessionConnection(connection, setting, SESSION_SETTINGS));
		});
	}

	@Override
	public ConnectionFactoryMetadata getMetadata() {
		return this.pool.getMetadata();
	}

}
