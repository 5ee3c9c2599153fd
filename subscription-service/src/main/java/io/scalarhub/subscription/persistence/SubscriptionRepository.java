package io.scalarhub.subscription.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.subscription.domain.BillingInterval;
import io.scalarhub.subscription.domain.Subscription;
import io.scalarhub.subscription.domain.SubscriptionStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
public class SubscriptionRepository {

	static final String COLUMNS = "id, customer_id, product_id, account_id, status, price_amount, currency, billing_interval, "
			+ "period_number, current_period_start, current_period_end, cancel_at_period_end, canceled_at, version, "
			+ "created_at, updated_at";

	private final DatabaseClient db;

	public SubscriptionRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts the subscription unless one with its id exists (a retried create); answers the stored one. */
	public Mono<Subscription> insertIfAbsent(Subscription s) {
		return this.db.sql("INSERT INTO subscription (" + COLUMNS + ") VALUES (:id, :customerId, :productId, :accountId, "
				+ ":status, :price, :currency, :interval, :period, :start, :end, false, NULL, 1, :createdAt, :createdAt) "
				+ "ON CONFLICT (id) DO NOTHING")
			.bind("id", s.id())
			.bind("customerId", s.customerId())
			.bind("productId", s.productId())
			.bind("accountId", s.accountId())
			.bind("status", s.status().name())
			.bind("price", s.priceAmount())
			.bind("currency", s.currency())
			.bind("interval", s.interval().name())
			.bind("period", s.periodNumber())
			.bind("start", utc(s.currentPeriodStart()))
			.bind("end", utc(s.currentPeriodEnd()))
			.bind("createdAt", utc(s.createdAt()))
			.then()
			.then(findById(s.id()));
	}

	public Mono<Subscription> findById(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM subscription WHERE id = :id")
			.bind("id", id)
			.map(SubscriptionRepository::toSubscription)
			.one();
	}

	public Mono<Subscription> findByIdForUpdate(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM subscription WHERE id = :id FOR UPDATE")
			.bind("id", id)
			.map(SubscriptionRepository::toSubscription)
			.one();
	}

	public Flux<Subscription> findPage(UUID customerId, SubscriptionStatus status, PageQuery page) {
		DatabaseClient.GenericExecuteSpec spec = this.db.sql("SELECT " + COLUMNS + " FROM subscription" + where(customerId, status)
				+ " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset");
		return bindFilters(spec, customerId, status).bind("limit", page.size())
			.bind("offset", page.offset())
			.map(SubscriptionRepository::toSubscription)
			.all();
	}

	public Mono<Long> count(UUID customerId, SubscriptionStatus status) {
		return bindFilters(this.db.sql("SELECT count(*) FROM subscription" + where(customerId, status)), customerId, status)
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	/** Subscriptions of the customer that are not canceled: what stops the customer from being closed. */
	public Mono<Long> countNotCanceled(UUID customerId) {
		return this.db.sql("SELECT count(*) FROM subscription WHERE customer_id = :customerId AND status <> 'CANCELED'")
			.bind("customerId", customerId)
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	/** Writes the subscription's mutable state and bumps its version. */
	public Mono<Subscription> update(Subscription s, Instant now) {
		DatabaseClient.GenericExecuteSpec spec = this.db.sql("UPDATE subscription SET status = :status, period_number = :period, "
				+ "current_period_start = :start, current_period_end = :end, cancel_at_period_end = :cancelAtEnd, "
				+ "canceled_at = :canceledAt, version = version + 1, updated_at = :now WHERE id = :id RETURNING " + COLUMNS)
			.bind("id", s.id())
			.bind("status", s.status().name())
			.bind("period", s.periodNumber())
			.bind("start", utc(s.currentPeriodStart()))
			.bind("end", utc(s.currentPeriodEnd()))
			.bind("cancelAtEnd", s.cancelAtPeriodEnd())
			.bind("now", utc(now));
		spec = (s.canceledAt() != null) ? spec.bind("canceledAt", utc(s.canceledAt()))
				: spec.bindNull("canceledAt", OffsetDateTime.class);
		return spec.map(SubscriptionRepository::toSubscription).one();
	}

	private static String where(UUID customerId, SubscriptionStatus status) {
		if (customerId != null && status != null) {
			return " WHERE customer_id = :customerId AND status = :status";
		}
		if (customerId != null) {
			return " WHERE customer_id = :customerId";
		}
		return (status != null) ? " WHERE status = :status" : "";
	}

	private static DatabaseClient.GenericExecuteSpec bindFilters(DatabaseClient.GenericExecuteSpec spec, UUID customerId,
			SubscriptionStatus status) {
		if (customerId != null) {
			spec = spec.bind("customerId", customerId);
		}
		if (status != null) {
			spec = spec.bind("status", status.name());
		}
		return spec;
	}

	static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	static Subscription toSubscription(Readable row) {
		OffsetDateTime canceledAt = row.get("canceled_at", OffsetDateTime.class);
		return new Subscription(row.get("id", UUID.class), row.get("customer_id", UUID.class),
				row.get("product_id", UUID.class), row.get("account_id", UUID.class),
				SubscriptionStatus.valueOf(row.get("status", String.class)), row.get("price_amount", Long.class),
				row.get("currency", String.class), BillingInterval.valueOf(row.get("billing_interval", String.class)),
				row.get("period_number", Integer.class), row.get("current_period_start", OffsetDateTime.class).toInstant(),
				row.get("current_period_end", OffsetDateTime.class).toInstant(),
				row.get("cancel_at_period_end", Boolean.class), (canceledAt != null) ? canceledAt.toInstant() : null,
				row.get("version", Long.class), row.get("created_at", OffsetDateTime.class).toInstant(),
				row.get("updated_at", OffsetDateTime.class).toInstant());
	}

}
