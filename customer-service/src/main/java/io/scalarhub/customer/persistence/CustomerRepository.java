package io.scalarhub.customer.persistence;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import io.scalarhub.customer.domain.Customer;
import io.scalarhub.customer.domain.CustomerStatus;
import io.scalarhub.platform.paging.PageQuery;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** Customers in PostgreSQL, through plain SQL: the statements are few and each one is visible here. */
@Repository
public class CustomerRepository {

	private static final String COLUMNS = "id, name, email, phone, metadata, status, version, created_at, updated_at";

	private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {
	};

	private final DatabaseClient db;

	private final JsonMapper json;

	public CustomerRepository(DatabaseClient db, JsonMapper json) {
		this.db = db;
		this.json = json;
	}

	/** Inserts the customer, or nothing when its email (in any case) is taken in its tenant: no exception to unwind. */
	public Mono<Customer> insertUnlessEmailTaken(Customer customer) {
		return bindAll(this.db.sql("INSERT INTO customer (" + COLUMNS + ") "
				+ "VALUES (:id, :name, :email, :phone, :metadata, :status, :version, :createdAt, :updatedAt) "
				+ "ON CONFLICT (tenant_id, (lower(email))) DO NOTHING RETURNING " + COLUMNS), customer)
			.map(this::toCustomer)
			.one();
	}

	public Mono<Customer> findById(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM customer WHERE id = :id")
			.bind("id", id)
			.map(this::toCustomer)
			.one();
	}

	public Mono<Customer> findByIdForUpdate(UUID id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM customer WHERE id = :id FOR UPDATE")
			.bind("id", id)
			.map(this::toCustomer)
			.one();
	}

	public Flux<Customer> findPage(String email, PageQuery page) {
		String where = (email == null) ? "" : " WHERE lower(email) = lower(:email)";
		DatabaseClient.GenericExecuteSpec spec = this.db
			.sql("SELECT " + COLUMNS + " FROM customer" + where
					+ " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
			.bind("limit", page.size())
			.bind("offset", page.offset());
		if (email != null) {
			spec = spec.bind("email", email);
		}
		return spec.map(this::toCustomer).all();
	}

	public Mono<Long> count(String email) {
		DatabaseClient.GenericExecuteSpec spec = (email == null) ? this.db.sql("SELECT count(*) FROM customer")
				: this.db.sql("SELECT count(*) FROM customer WHERE lower(email) = lower(:email)").bind("email", email);
		return spec.map((row) -> row.get(0, Long.class)).one();
	}

	/** Writes a changed customer; callers hold the row lock, so the version cannot have moved meanwhile. */
	public Mono<Customer> update(Customer customer) {
		return bindAll(this.db.sql("UPDATE customer SET name = :name, email = :email, phone = :phone, "
				+ "metadata = :metadata, status = :status, version = :version, created_at = :createdAt, "
				+ "updated_at = :updatedAt WHERE id = :id RETURNING " + COLUMNS), customer)
			.map(this::toCustomer)
			.one();
	}

	private DatabaseClient.GenericExecuteSpec bindAll(DatabaseClient.GenericExecuteSpec spec, Customer customer) {
		spec = spec.bind("id", customer.id())
			.bind("name", customer.name())
			.bind("email", customer.email())
			.bind("metadata", Json.of(this.json.writeValueAsString(customer.metadata())))
			.bind("status", customer.status().name())
			.bind("version", customer.version())
			.bind("createdAt", customer.createdAt().atOffset(ZoneOffset.UTC))
			.bind("updatedAt", customer.updatedAt().atOffset(ZoneOffset.UTC));
		return (customer.phone() != null) ? spec.bind("phone", customer.phone()) : spec.bindNull("phone", String.class);
	}

	private Customer toCustomer(Readable row) {
		return new Customer(row.get("id", UUID.class), row.get("name", String.class), row.get("email", String.class),
				row.get("phone", String.class), this.json.readValue(row.get("metadata", Json.class).asString(), METADATA),
				CustomerStatus.valueOf(row.get("status", String.class)), row.get("version", Long.class),
				row.get("created_at", OffsetDateTime.class).toInstant(),
				row.get("updated_at", OffsetDateTime.class).toInstant());
	}

}
