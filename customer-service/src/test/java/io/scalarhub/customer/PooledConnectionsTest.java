package io.scalarhub.customer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica monitor's lag probes and every write's consistency token (the primary's WAL position) run on
 * pooled connections: PostgreSQL sees a handful of sessions for a hundred writes and their probes, not one new
 * backend (a fork) per query. Counted by the server itself ({@code pg_stat_database.sessions}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.r2dbc.replica.max-lag=1h", "scalarhub.r2dbc.replica.check-interval=50ms" })
class PooledConnectionsTest extends ReplicaRoutingTestBase {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("customer_pool");

	/** Both pools' most (20 each) would already be generous; a connection per query would be hundreds. */
	static final int MOST_SESSIONS = 40;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	TestJwtIssuer issuer() {
		return issuer;
	}

	@Test
	void probesAndConsistencyTokensReusePooledConnections() throws Exception {
		// warm: both pools have their connections, and the replica answers
		create(this.writer);
		Polling.until(Duration.ofSeconds(15), "reads to be served by the replica", () -> {
			status(this.reader, "/v1/customers?size=1");
			return reads("replica") > 0;
		});
		long before = sessions();
		for (int i = 0; i < 100; i++) {
			assertThat(create(this.writer).getResponseHeaders().getFirst("X-Consistency-Token")).isNotBlank();
		}
		// a hundred writes take well over a second: at 50 ms per probe, dozens of lag probes ran meanwhile
		long opened = sessions() - before;
		System.out.println("PooledConnectionsTest: " + opened + " new PostgreSQL sessions for 100 writes and their probes");
		assertThat(opened).as("new PostgreSQL sessions for 100 writes and their probes").isLessThan(MOST_SESSIONS);
	}

	/** Sessions ever opened to this test's database, on the primary and the replica together. */
	private static long sessions() throws SQLException {
		long total = 0;
		for (int port : new int[] { database.port(), database.replicaPort() }) {
			try (Connection connection = DriverManager.getConnection(
					"jdbc:postgresql://" + database.host() + ":" + port + "/" + database.name(), database.username(),
					database.password());
					PreparedStatement query = connection
						.prepareStatement("SELECT sessions FROM pg_stat_database WHERE datname = ?")) {
				query.setString(1, database.name());
				try (ResultSet row = query.executeQuery()) {
					row.next();
					total += row.getLong(1);
				}
			}
		}
		return total;
	}

}
