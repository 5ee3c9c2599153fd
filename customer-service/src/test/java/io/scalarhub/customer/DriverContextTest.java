package io.scalarhub.customer;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database driver does not restore a request's thread locals around every message it handles: with
 * context-propagation on the classpath, Reactor's {@code handle} operator restores each registered thread local
 * that the subscriber's context holds, and the PostgreSQL driver handles every backend message. Watched with a
 * thread-local accessor of the test's own, whose value is in the context of transactions that read 1 and 200 rows.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DriverContextTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final String KEY = "scalarhub.test.request-value";

	static final ThreadLocal<String> VALUE = new ThreadLocal<>();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_driver_ctx"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	final List<String> restoredOn = new CopyOnWriteArrayList<>();

	@Autowired
	ReactiveTransactionManager transactions;

	@Autowired
	DatabaseClient db;

	@BeforeEach
	void watchRestores() {
		ContextRegistry.getInstance().registerThreadLocalAccessor(new ThreadLocalAccessor<String>() {
			@Override
			public Object key() {
				return KEY;
			}

			@Override
			public String getValue() {
				return VALUE.get();
			}

			@Override
			public void setValue(String value) {
				DriverContextTest.this.restoredOn.add(Thread.currentThread().getName());
				VALUE.set(value);
			}

			@Override
			public void setValue() {
				VALUE.remove();
			}
		});
	}

	@AfterEach
	void stopWatching() {
		ContextRegistry.getInstance().removeThreadLocalAccessor(KEY);
	}

	@Test
	void theDriverDoesNotRestoreTheRequestsThreadLocalsPerMessage() {
		// the pool opens its first connections on its first acquisition, under the context of whoever asks (33
		// restores: handshakes, not rows); in a Spring context that other test classes already used they are open,
		// alone they are not, so they are opened before anything is counted
		restoresWhileReading(1);
		int oneRow = restoresWhileReading(1);
		int manyRows = restoresWhileReading(200);
		// what is left is taking the connection from the pool, once per transaction, whatever it reads; per
		// message handled it was at least one per row
		assertThat(manyRows).as("restores for 200 rows, against %d for one", oneRow).isEqualTo(oneRow);
		assertThat(oneRow).as("restores for a transaction reading one row").isLessThanOrEqualTo(2);
	}

	private int restoresWhileReading(int rows) {
		this.restoredOn.clear();
		List<Integer> read = TransactionalOperator.create(this.transactions)
			.transactional(this.db.sql("SELECT g FROM generate_series(1, " + rows + ") AS g")
				.map((row) -> row.get(0, Integer.class))
				.all())
			.contextWrite(TenantScope.with(UUID.randomUUID()))
			.contextWrite((context) -> context.put(KEY, "request"))
			.collectList()
			.block();
		assertThat(read).hasSize(rows);
		return this.restoredOn.size();
	}

}
