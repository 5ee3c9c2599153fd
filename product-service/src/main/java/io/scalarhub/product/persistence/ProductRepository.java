package io.scalarhub.product.persistence;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import io.scalarhub.platform.money.Money;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.product.domain.BillingInterval;
import io.scalarhub.product.domain.Product;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** Products in PostgreSQL, through plain SQL: the statements are few and each one is visible here. */
@Repository
public class ProductRepository {

	private static final String COLUMNS = "id, sku, name, description, price_amount, price_currency, "
			+ "billing_interval, active, version, created_at, updated_at";

	private final DatabaseClient db;

	public ProductRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts the product, or nothing when its sku (in any case) is taken in its tenant: no exception to unwind. */
	public Mono<Product> insertUnlessSkuTaken(Product product) {
		return bindAll(this.db.sql("INSERT INTO product (" + COLUMNS + ") VALUES (:id, :sku, :name, :description, "
				+ ":priceAmount, :priceCurrency, :interval, :active, :version, :createdAt, :updatedAt) "
				+ "ON CONFLICT (tenant_id, (lower(sku))) DO NOTHING RETURNING " + COLUMNS), product)
			.map(ProductRepository::toProduct)
			.one();
	}

	public Mono<Product> findById(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM product WHERE id = :id")
			.bind("id", id)
			.map(ProductRepository::toProduct)
			.one();
	}

	public Mono<Product> findByIdForUpdate(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM product WHERE id = :id FOR UPDATE")
			.bind("id", id)
			.map(ProductRepository::toProduct)
			.one();
	}

	public Flux<Product> findPage(Boolean active, PageQuery page) {
		String where = (active == null) ? "" : " WHERE active = :active";
		DatabaseClient.GenericExecuteSpec spec = this.db
			.sql("SELECT " + COLUMNS + " FROM product" + where
					+ " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
			.bind("limit", page.size())
			.bind("offset", page.offset());
		if (active != null) {
			spec = spec.bind("active", active);
		}
		return spec.map(ProductRepository::toProduct).all();
	}

	public Mono<Long> count(Boolean active) {
		DatabaseClient.GenericExecuteSpec spec = (active == null) ? this.db.sql("SELECT count(*) FROM product")
				: this.db.sql("SELECT count(*) FROM product WHERE active = :active").bind("active", active);
		return spec.map((row) -> row.get(0, Long.class)).one();
	}

	/** Writes a changed product; callers hold the row lock, so the version cannot have moved meanwhile. */
	public Mono<Product> update(Product product) {
		return bindAll(this.db.sql("UPDATE product SET sku = :sku, name = :name, description = :description, "
				+ "price_amount = :priceAmount, price_currency = :priceCurrency, billing_interval = :interval, "
				+ "active = :active, version = :version, created_at = :createdAt, updated_at = :updatedAt "
				+ "WHERE id = :id RETURNING " + COLUMNS), product)
			.map(ProductRepository::toProduct)
			.one();
	}

	private static DatabaseClient.GenericExecuteSpec bindAll(DatabaseClient.GenericExecuteSpec spec, Product product) {
		spec = spec.bind("id", product.id())
			.bind("sku", product.sku())
			.bind("name", product.name())
			.bind("priceAmount", product.price().amount())
			.bind("priceCurrency", product.price().currency())
			.bind("interval", product.interval().name())
			.bind("active", product.active())
			.bind("version", product.version())
			.bind("createdAt", product.createdAt().atOffset(ZoneOffset.UTC))
			.bind("updatedAt", product.updatedAt().atOffset(ZoneOffset.UTC));
		return (product.description() != null) ? spec.bind("description", product.description())
				: spec.bindNull("description", String.class);
	}

	private static Product toProduct(Readable row) {
		return new Product(row.get("id", UUID.class), row.get("sku", String.class), row.get("name", String.class),
				row.get("description", String.class),
				new Money(row.get("price_amount", Long.class), row.get("price_currency", String.class)),
				BillingInterval.valueOf(row.get("billing_interval", String.class)), row.get("active", Boolean.class),
				row.get("version", Long.class), row.get("created_at", OffsetDateTime.class).toInstant(),
				row.get("updated_at", OffsetDateTime.class).toInstant());
	}

}
