package io.scalarhub.auth;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.scalarhub.auth.tokens.ExpiredAuthorizationPurge;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authorizations behind issued tokens live in the auth database, not in an instance's heap: any instance (here
 * a second authorization service on the same database, holding nothing of its own) finds a token another issued,
 * every way Spring's endpoints look one up is served by an index, and the rows of expired tokens are deleted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { AuthServerTestProperties.NO_CONFIG_SERVER, AuthServerTestProperties.NO_EUREKA,
				"scalarhub.auth.authorization-purge-interval=" + StoredAuthorizationsTest.PURGE_INTERVAL_SECONDS + "s" })
@ActiveProfiles("test")
class StoredAuthorizationsTest {

	/** Not the default (60 s), and no other schedule's interval. */
	static final int PURGE_INTERVAL_SECONDS = 47;

	static final Duration PURGE_INTERVAL = Duration.ofSeconds(PURGE_INTERVAL_SECONDS);

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		AuthServerTestProperties.database(registry);
	}

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	RegisteredClientRepository clients;

	@Autowired
	ExpiredAuthorizationPurge purge;

	@Autowired
	ScheduledTaskHolder scheduledTasks;

	AuthServerHttp authServer;

	@BeforeEach
	void client() {
		this.authServer = new AuthServerHttp(this.port);
	}

	@Test
	void anotherInstanceFindsATokenThisOneIssuedUntilItIsRevoked() {
		String token = issue();
		// what another instance has: the database, and nothing in memory
		JdbcOAuth2AuthorizationService another = new JdbcOAuth2AuthorizationService(this.jdbc, this.clients);

		assertThat(another.findByToken(token, OAuth2TokenType.ACCESS_TOKEN)).isNotNull()
			.satisfies((authorization) -> assertThat(authorization.getAccessToken().isActive()).isTrue());
		assertThat(another.findByToken(token, null)).as("looked up without the token's type").isNotNull();

		assertThat(this.authServer.postWithBasic("/oauth2/revoke", "test-free", "other-secret", Map.of("token", token))
			.statusCode()).isEqualTo(200);
		// revoking keeps the authorization with its token marked invalid, which every instance now reads
		assertThat(another.findByToken(token, OAuth2TokenType.ACCESS_TOKEN).getAccessToken().isActive())
			.as("the token, revoked at the first instance").isFalse();
	}

	@Test
	void everyLookupByTokenIsServedByAnIndex() {
		issue();
		// the lookups of JdbcOAuth2AuthorizationService: by one column when the token's type is given, by all at once
		// (OR) when it is not. With sequential scans priced out, a column without an index shows up as one.
		List<String> columns = List.of("state", "authorization_code_value", "access_token_value",
				"oidc_id_token_value", "refresh_token_value", "user_code_value", "device_code_value");
		String anyColumn = String.join(" OR ", columns.stream().map((column) -> column + " = 'x'").toList());
		for (String filter : concat(columns.stream().map((column) -> column + " = 'x'").toList(), anyColumn)) {
			List<String> plan = this.transactions.execute((status) -> {
				this.jdbc.execute("SET LOCAL enable_seqscan = off");
				return this.jdbc.queryForList("EXPLAIN SELECT id FROM oauth2_authorization WHERE " + filter, String.class);
			});
			assertThat(String.join("\n", plan)).as("the plan of WHERE %s", filter).doesNotContain("Seq Scan");
		}
	}

	@Test
	void theRowsOfExpiredTokensAreDeletedAndLiveOnesKept() {
		String expired = issue();
		String live = issue();
		this.jdbc.update("UPDATE oauth2_authorization SET access_token_expires_at = now() - interval '1 second' "
				+ "WHERE access_token_value = ?", expired);

		assertThat(this.purge.purge()).isEqualTo(1);

		assertThat(stored(expired)).isZero();
		assertThat(stored(live)).isOne();
		assertThat(AuthServerHttp.parse(this.authServer
			.postWithBasic("/oauth2/introspect", "test-free", "other-secret", Map.of("token", live))
			.body())).containsEntry("active", true);
	}

	@Test
	void everyInstancePurgesOnTheConfiguredSchedule() {
		// the interval of the typed configuration (PURGE_INTERVAL, set above), as interval and as first delay
		List<FixedDelayTask> purges = this.scheduledTasks.getScheduledTasks()
			.stream()
			.map(ScheduledTask::getTask)
			.filter(FixedDelayTask.class::isInstance)
			.map(FixedDelayTask.class::cast)
			.filter((task) -> task.getIntervalDuration().equals(PURGE_INTERVAL))
			.toList();
		assertThat(purges).as("tasks every %s", PURGE_INTERVAL).hasSize(1);
		FixedDelayTask scheduled = purges.get(0);
		assertThat(scheduled.getInitialDelayDuration()).isEqualTo(PURGE_INTERVAL);
		// and what runs on it is the purge
		String expired = issue();
		this.jdbc.update("UPDATE oauth2_authorization SET access_token_expires_at = now() - interval '1 second' "
				+ "WHERE access_token_value = ?", expired);

		scheduled.getRunnable().run();

		assertThat(stored(expired)).isZero();
	}

	private String issue() {
		String token = (String) AuthServerHttp.parse(this.authServer
			.tokenRequestWithBasic("test-free", "other-secret", Map.of("grant_type", "client_credentials"))
			.body()).get("access_token");
		assertThat(token).isNotBlank();
		assertThat(stored(token)).as("the issued token's authorization in the database").isOne();
		return token;
	}

	private int stored(String token) {
		Integer count = this.jdbc.queryForObject("SELECT count(*) FROM oauth2_authorization WHERE access_token_value = ?",
				Integer.class, token);
		return (count != null) ? count : 0;
	}

	private static List<String> concat(List<String> list, String last) {
		return Stream.concat(list.stream(), Stream.of(last)).toList();
	}

}
