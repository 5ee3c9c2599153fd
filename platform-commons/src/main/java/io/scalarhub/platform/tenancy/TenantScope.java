package io.scalarhub.platform.tenancy;

import java.util.Optional;
import java.util.UUID;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Whose data a piece of work may touch: one tenant's, or (for the few platform jobs that must see across
 * tenants, and only on the tables whose policies grant it) the system's. It travels in the Reactor context;
 * {@link TenantScopedTransactionManager} hands it to PostgreSQL at the start of every transaction, where
 * row-level security applies it to every statement.
 * <p>
 * Requests get theirs from the caller's token ({@link TenantWebFilter}); background work declares its own
 * with {@link #with(UUID)} or {@link #system()}. Nothing else sets it.
 *
 * @param tenant the tenant, or {@code null} for the system scope
 */
public record TenantScope(UUID tenant) {

	/** The access-token claim that names the caller's tenant (auth-server puts it there). */
	public static final String CLAIM = "tenant";

	/**
	 * The header a service sends with a call it makes on a tenant's behalf. Believed only from a caller whose
	 * token carries the {@code internal} scope and no tenant of its own: a platform service.
	 */
	public static final String HEADER = "X-Scalarhub-Tenant";

	/** The value PostgreSQL sees for the system scope ({@code scalarhub.tenant_id}). */
	static final String SYSTEM_SETTING = "system";

	private static final TenantScope SYSTEM = new TenantScope(null);

	/** The context that scopes work to {@code tenant}. */
	public static Context with(UUID tenant) {
		if (tenant == null) {
			throw new IllegalArgumentException("a tenant scope needs a tenant");
		}
		return Context.of(TenantScope.class, new TenantScope(tenant));
	}

	/** The context for platform jobs that work across tenants (claiming jobs, purging expired records). */
	public static Context system() {
		return Context.of(TenantScope.class, SYSTEM);
	}

	/** The scope in {@code context}, if any. */
	public static Optional<TenantScope> in(ContextView context) {
		return context.getOrEmpty(TenantScope.class);
	}

	public boolean isSystem() {
		return this.tenant == null;
	}

	/** What {@code scalarhub.tenant_id} is set to in the transaction. */
	String setting() {
		return isSystem() ? SYSTEM_SETTING : this.tenant.toString();
	}

}
