package io.scalarhub.subscription.persistence;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import io.scalarhub.subscription.billing.BillingItem;
import io.scalarhub.subscription.billing.BillingRun;
import io.scalarhub.subscription.billing.BillingRunStatus;
import io.scalarhub.subscription.billing.RunCounts;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * Billing runs and their items. Leases are kept in the database's clock ({@code now()}), never an
 * instance's, so instances with skewed clocks still agree on whose a run is.
 * <p>
 * Every statement runs in a transaction of the caller's tenant, and row-level security confines it to that
 * tenant's runs, items and subscriptions; only {@link #claim} and {@link #openRuns} are meant for the system
 * scope, which the table's policies let see open runs of every tenant and take one into RUNNING, nothing more.
 */
@Repository
public class BillingRunRepository {

	private static final String COLUMNS = "id, tenant_id, status, as_of, planned, total, claims, lease_owner, created_at, "
			+ "started_at, completed_at";

	private final DatabaseClient db;

	public BillingRunRepository(DatabaseClient db) {
		this.db = db;
	}

	public Mono<BillingRun> insert(UUID id, Instant asOf, Instant createdAt) {
		return this.db.sql("INSERT INTO billing_run (id, status, as_of, created_at) VALUES (:id, 'PENDING', :asOf, :createdAt) "
				+ "RETURNING " + COLUMNS)
			.bind("id", id)
			.bind("asOf", SubscriptionRepository.utc(asOf))
			.bind("createdAt", SubscriptionRepository.utc(createdAt))
			.map(BillingRunRepository::toRun)
			.one();
	}

	public Mono<BillingRun> findById(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM billing_run WHERE id = :id")
			.bind("id", id)
			.map(BillingRunRepository::toRun)
			.one();
	}

	public Mono<RunCounts> counts(UUID runId) {
		return this.db.sql("SELECT status, count(*) AS n FROM billing_run_item WHERE run_id = :run GROUP BY status")
			.bind("run", runId)
			.map((row) -> Map.entry(row.get("status", String.class), row.get("n", Long.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new)
			.map((byStatus) -> new RunCounts(byStatus.getOrDefault("CHARGED", 0L), byStatus.getOrDefault("PAST_DUE", 0L),
					byStatus.getOrDefault("CANCELED", 0L), byStatus.getOrDefault("SKIPPED", 0L),
					byStatus.getOrDefault("FAILED", 0L), byStatus.getOrDefault("PENDING", 0L)));
	}

	/**
	 * Claims the oldest run of any tenant that is waiting or whose worker's lease expired, for {@code owner}:
	 * one statement, and SKIP LOCKED, so concurrent workers of any instance each get a different run or none.
	 * Run in the system scope; the claimed run names its tenant, in whose scope the rest of it is worked.
	 */
	public Mono<BillingRun> claim(String owner, Duration lease) {
		return this.db.sql("UPDATE billing_run SET status = 'RUNNING', lease_owner = :owner, "
				+ "lease_expires_at = now() + make_interval(secs => :lease), heartbeat_at = now(), claims = claims + 1, "
				+ "started_at = coalesce(started_at, now()) WHERE id = (SELECT id FROM billing_run "
				+ "WHERE status IN ('PENDING', 'RUNNING') AND (lease_expires_at IS NULL OR lease_expires_at < now()) "
				+ "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)
			.bind("owner", owner)
			.bind("lease", seconds(lease))
			.map(BillingRunRepository::toRun)
			.one();
	}

	/** The heartbeat: true while the run is still {@code owner}'s (false: the lease was lost to another worker). */
	public Mono<Boolean> renewLease(UUID runId, String owner, Duration lease) {
		return this.db.sql("UPDATE billing_run SET lease_expires_at = now() + make_interval(secs => :lease), heartbeat_at = now() "
				+ "WHERE id = :id AND lease_owner = :owner AND status = 'RUNNING'")
			.bind("id", runId)
			.bind("owner", owner)
			.bind("lease", seconds(lease))
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	/**
	 * Fixes the run's items: every live subscription of the run's tenant (the transaction's: row-level security
	 * shows no other) whose period ended by the run's as-of, with the period it is to charge next. Run in one
	 * transaction with {@link #markPlanned}, so a run is planned whole or not at all.
	 */
	public Mono<Long> insertItems(UUID runId, Instant asOf) {
		return this.db.sql("INSERT INTO billing_run_item (run_id, subscription_id, period_number, status, next_attempt_at, updated_at) "
				+ "SELECT :run, id, period_number + 1, 'PENDING', now(), now() FROM subscription "
				+ "WHERE status IN ('ACTIVE', 'PAST_DUE') AND current_period_end <= :asOf ON CONFLICT DO NOTHING")
			.bind("run", runId)
			.bind("asOf", SubscriptionRepository.utc(asOf))
			.fetch()
			.rowsUpdated();
	}

	public Mono<Boolean> markPlanned(UUID runId, String owner) {
		return this.db.sql("UPDATE billing_run SET planned = true, "
				+ "total = (SELECT count(*) FROM billing_run_item WHERE run_id = :id) WHERE id = :id AND lease_owner = :owner")
			.bind("id", runId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	/** Up to {@code limit} items that are due for an attempt now. */
	public Flux<BillingItem> readyItems(UUID runId, int limit) {
		return this.db.sql("SELECT run_id, subscription_id, period_number, attempts FROM billing_run_item "
				+ "WHERE run_id = :run AND status = 'PENDING' AND next_attempt_at <= now() "
				+ "ORDER BY next_attempt_at, subscription_id LIMIT :limit")
			.bind("run", runId)
			.bind("limit", limit)
			.map(BillingRunRepository::toItem)
			.all();
	}

	public Mono<Long> pendingItems(UUID runId) {
		return this.db.sql("SELECT count(*) FROM billing_run_item WHERE run_id = :run AND status = 'PENDING'")
			.bind("run", runId)
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	/** The item, locked, if it is still pending: a second worker on the same item waits here, then finds it done. */
	public Mono<BillingItem> lockPendingItem(UUID runId, UUID subscriptionId) {
		return this.db.sql("SELECT run_id, subscription_id, period_number, attempts FROM billing_run_item "
				+ "WHERE run_id = :run AND subscription_id = :sub AND status = 'PENDING' FOR UPDATE")
			.bind("run", runId)
			.bind("sub", subscriptionId)
			.map(BillingRunRepository::toItem)
			.one();
	}

	public Mono<Void> finishItem(UUID runId, UUID subscriptionId, String status, String error) {
		DatabaseClient.GenericExecuteSpec spec = this.db.sql("UPDATE billing_run_item SET status = :status, "
				+ "attempts = attempts + 1, last_error = :error, updated_at = now() "
				+ "WHERE run_id = :run AND subscription_id = :sub AND status = 'PENDING'")
			.bind("run", runId)
			.bind("sub", subscriptionId)
			.bind("status", status);
		spec = (error != null) ? spec.bind("error", truncate(error)) : spec.bindNull("error", String.class);
		return spec.then();
	}

	/** A transient failure: try again after {@code wait}, or count the item as failed after its last attempt. */
	public Mono<Void> attemptFailed(UUID runId, UUID subscriptionId, int maxAttempts, Duration wait, String error) {
		return this.db.sql("UPDATE billing_run_item SET attempts = attempts + 1, last_error = :error, updated_at = now(), "
				+ "status = CASE WHEN attempts + 1 >= :max THEN 'FAILED' ELSE 'PENDING' END, "
				+ "next_attempt_at = now() + make_interval(secs => :wait) "
				+ "WHERE run_id = :run AND subscription_id = :sub AND status = 'PENDING'")
			.bind("run", runId)
			.bind("sub", subscriptionId)
			.bind("max", maxAttempts)
			.bind("wait", seconds(wait))
			.bind("error", truncate(error))
			.then();
	}

	/** COMPLETED once no item is pending, if the run is still {@code owner}'s. */
	public Mono<Boolean> complete(UUID runId, String owner) {
		return this.db.sql("UPDATE billing_run SET status = 'COMPLETED', completed_at = now(), lease_owner = NULL, "
				+ "lease_expires_at = NULL WHERE id = :id AND lease_owner = :owner AND status = 'RUNNING' "
				+ "AND NOT EXISTS (SELECT 1 FROM billing_run_item WHERE run_id = :id AND status = 'PENDING')")
			.bind("id", runId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	/** A run that keeps losing its workers is given up: FAILED, its pending items counted as failed. */
	public Mono<Void> fail(UUID runId, String reason) {
		return this.db.sql("UPDATE billing_run_item SET status = 'FAILED', last_error = :reason, updated_at = now() "
				+ "WHERE run_id = :id AND status = 'PENDING'")
			.bind("id", runId)
			.bind("reason", truncate(reason))
			.then()
			.then(this.db.sql("UPDATE billing_run SET status = 'FAILED', completed_at = now(), lease_owner = NULL, "
					+ "lease_expires_at = NULL WHERE id = :id")
				.bind("id", runId)
				.then());
	}

	/** How many runs wait or are being worked: the backlog gauge (every tenant's, in the system scope). */
	public Mono<Long> openRuns() {
		return this.db.sql("SELECT count(*) FROM billing_run WHERE status IN ('PENDING', 'RUNNING')")
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	private static double seconds(Duration duration) {
		return duration.toMillis() / 1000.0;
	}

	private static String truncate(String text) {
		return (text == null || text.length() <= 500) ? text : text.substring(0, 500);
	}

	private static BillingItem toItem(Readable row) {
		return new BillingItem(row.get("run_id", UUID.class), row.get("subscription_id", UUID.class),
				row.get("period_number", Integer.class), row.get("attempts", Integer.class));
	}

	private static BillingRun toRun(Readable row) {
		return new BillingRun(row.get("id", UUID.class), row.get("tenant_id", UUID.class),
				BillingRunStatus.valueOf(row.get("status", String.class)),
				row.get("as_of", OffsetDateTime.class).toInstant(), row.get("planned", Boolean.class),
				row.get("total", Integer.class), row.get("claims", Integer.class), row.get("lease_owner", String.class),
				row.get("created_at", OffsetDateTime.class).toInstant(), instant(row.get("started_at", OffsetDateTime.class)),
				instant(row.get("completed_at", OffsetDateTime.class)));
	}

	private static Instant instant(OffsetDateTime time) {
		return (time != null) ? time.toInstant() : null;
	}

}
