package io.scalarhub.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Checks on a service's real database that tenant isolation is enforced by PostgreSQL itself, the second line
 * behind the platform's tenant-scoped transactions: every table (but Flyway's own) has a {@code tenant_id},
 * row-level security on and forced (so it binds the service's own role, which owns the tables), and a
 * policy; and a statement run as the service's role without a tenant in scope fails instead of reading
 * anything. A new table without these fails the test of its service.
 */
public final class TenantIsolation {

	private static final String TABLES = "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
			+ "EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy, "
			+ "EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant "
			+ "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			+ "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'flyway_schema_history' ORDER BY 1";

	private TenantIsolation() {
	}

	/** Asserts the above for every table of {@code database}, and returns their names. */
	public static List<String> assertEveryTableIsTenantScoped(TestPostgres.Database database) {
		List<String> tables = new ArrayList<>();
		try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.username(),
				database.password()); Statement statement = connection.createStatement()) {
			try (ResultSet rows = statement.executeQuery(TABLES)) {
				while (rows.next()) {
					String table = rows.getString(1);
					tables.add(table);
					assertThat(rows.getBoolean("has_tenant")).as("%s has a tenant_id column", table).isTrue();
					assertThat(rows.getBoolean(2)).as("%s has row-level security enabled", table).isTrue();
					assertThat(rows.getBoolean(3)).as("%s forces row-level security on its owner", table).isTrue();
					assertThat(rows.getBoolean("has_policy")).as("%s has a tenant policy", table).isTrue();
				}
			}
			assertThat(tables).as("tables of %s", database.name()).isNotEmpty().contains("idempotency_key");
			for (String table : tables) {
				// a fresh session, no tenant set: the policy's scalarhub_tenant() refuses, nothing is read
				assertThatThrownBy(() -> {
					try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
						rows.next();
					}
				}).as("reading %s without a tenant in scope", table)
					.isInstanceOf(SQLException.class)
					.hasMessageContaining("scalarhub.tenant_id");
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("could not inspect " + database.name(), ex);
		}
		return tables;
	}

}
