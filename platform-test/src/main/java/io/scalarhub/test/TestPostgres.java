package io.scalarhub.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL server for tests: a Testcontainers container where a Docker engine answers, else the
 * project's own local primary that {@code deploy/local/infra.sh up} starts (never an in-memory stand-in).
 * Each caller gets a fresh database of its own, dropped when the JVM exits, so test runs never see each
 * other's rows.
 */
public final class TestPostgres {

	private static Server server;

	private TestPostgres() {
	}

	/**
	 * A new, empty database on the test server. Where the server has a streaming replica (the local
	 * cluster), this returns once the replica has the database too, so that a service under test can read
	 * there from its first request.
	 */
	public static synchronized Database createDatabase(String prefix) {
		Server current = server();
		String name = (prefix + "_test_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
		execute(current, "postgres", "CREATE DATABASE " + name);
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> execute(current, "postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")));
		Database database = new Database(current.host(), current.port(), current.replicaPort(), name,
				current.username(), current.password());
		if (current.replicaPort() > 0) {
			Polling.until(Duration.ofSeconds(30), "the replica to have database " + name,
					() -> canConnect(current.host(), current.replicaPort(), name, current));
		}
		return database;
	}

	private static boolean canConnect(String host, int port, String database, Server server) {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database,
				server.username(), server.password())) {
			return connection.isValid(1);
		}
		catch (SQLException ex) {
			return false;
		}
	}

	private static Server server() {
		if (server == null) {
			server = TestEnvironment.dockerAvailable() ? startContainer() : localServer();
		}
		return server;
	}

	private static Server startContainer() {
		PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
		container.start();
		// the container's user is a superuser, and superusers bypass row-level security: the services under
		// test connect as an ordinary role, as they do everywhere else, so that tenant isolation is enforced
		Server superuser = new Server(container.getHost(), container.getMappedPort(5432), -1,
				container.getUsername(), container.getPassword());
		execute(superuser, "postgres", "CREATE ROLE scalarhub LOGIN CREATEDB NOSUPERUSER PASSWORD 'scalarhub'");
		// a container has no streaming replica: replica-routing tests need the local cluster
		return new Server(superuser.host(), superuser.port(), -1, "scalarhub", "scalarhub");
	}

	private static Server localServer() {
		return new Server(TestEnvironment.get("SCALARHUB_PG_HOST", "127.0.0.1"),
				Integer.parseInt(TestEnvironment.get("SCALARHUB_PG_PORT", "55432")),
				Integer.parseInt(TestEnvironment.get("SCALARHUB_PG_REPLICA_PORT", "55433")),
				TestEnvironment.get("SCALARHUB_PG_USER", "scalarhub"),
				TestEnvironment.get("SCALARHUB_PG_PASSWORD", "scalarhub"));
	}

	private static void execute(Server server, String database, String sql) {
		String url = "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database;
		try (Connection connection = DriverManager.getConnection(url, server.username(), server.password());
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Test PostgreSQL at " + url + " refused '" + sql
					+ "'. Without Docker, tests use the local servers: run deploy/local/infra.sh up", ex);
		}
	}

	record Server(String host, int port, int replicaPort, String username, String password) {
	}

	/** Coordinates of one test database. */
	public record Database(String host, int port, int replicaPort, String name, String username, String password) {

		public String r2dbcUrl() {
			return "r2dbc:postgresql://" + this.host + ":" + this.port + "/" + this.name;
		}

		public boolean hasReplica() {
			return this.replicaPort > 0;
		}

		public String replicaR2dbcUrl() {
			return "r2dbc:pool:postgresql://" + this.host + ":" + this.replicaPort + "/" + this.name
					+ "?maxSize=5&connectTimeout=PT1S&maxCreateConnectionTime=PT1S&validationDepth=LOCAL";
		}

		public String jdbcUrl() {
			return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + this.name;
		}

		/**
		 * Runs {@code statements} in one transaction as {@code tenant}, as the services' own transactions run
		 * (row-level security applies; new rows take the tenant): for tests that need rows in place, such as
		 * the ones a contract names.
		 */
		public void executeAsTenant(UUID tenant, String... statements) {
			try (Connection connection = DriverManager.getConnection(jdbcUrl(), this.username, this.password)) {
				connection.setAutoCommit(false);
				try (Statement statement = connection.createStatement()) {
					statement.execute("SELECT set_config('scalarhub.tenant_id', '" + tenant + "', true)");
					for (String sql : statements) {
						statement.execute(sql);
					}
				}
				connection.commit();
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Could not run " + List.of(statements) + " in " + this.name, ex);
			}
		}

	}

}
