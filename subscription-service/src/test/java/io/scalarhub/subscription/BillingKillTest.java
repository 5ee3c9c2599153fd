package io.scalarhub.subscription;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.scalarhub.subscription.domain.ChargeKeys;
import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The billing kill test: two instances of subscription-service on one database, each with its billing
 * worker. The first works a run over many due subscriptions and is killed (its application context shut
 * down with the run in flight, lease held: nothing is handed over); the second takes the run over once the
 * lease expires and completes it. The ledger then holds exactly one charge for the period of every
 * subscription, and every balance went down by exactly one period's price.
 */
class BillingKillTest {

	static final int SUBSCRIPTIONS = 60;

	static final long PRICE = 100;

	static final Downstreams downstreams = new Downstreams();

	static final TestPostgres.Database database = TestPostgres.createDatabase("subscription_kill");

	static final List<ConfigurableApplicationContext> started = new ArrayList<>();

	@AfterAll
	static void stop() {
		started.forEach(ConfigurableApplicationContext::close);
		downstreams.close();
	}

	static ConfigurableApplicationContext startInstance() {
		Map<String, Object> properties = new HashMap<>(downstreams.properties());
		ServiceTestProperties.register((name, value) -> properties.put(name, value.get()), database, downstreams.issuer);
		properties.put("server.port", 0);
		// the run is as of 40 days ahead: a test clock
		properties.put("scalarhub.billing.test-clocks-enabled", true);
		properties.put("scalarhub.billing.poll-interval", "100ms");
		properties.put("scalarhub.billing.lease-duration", "2s");
		properties.put("scalarhub.billing.heartbeat-interval", "300ms");
		properties.put("scalarhub.billing.batch-size", 10);
		properties.put("scalarhub.billing.concurrency", 4);
		String[] args = properties.entrySet().stream().map((e) -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SubscriptionApplication.class).run(args);
		started.add(context);
		return context;
	}

	static WebTestClient client(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + context.getEnvironment().getProperty("local.server.port"))
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + downstreams.issuer.token("kill-test",
					"subscriptions:read", "subscriptions:write", "billing:run"))
			.build();
	}

	static Map<?, ?> run(WebTestClient client, String location) {
		return client.get().uri(location).exchange().expectStatus().isOk().expectBody(Map.class).returnResult()
			.getResponseBody();
	}

	static long count(Map<?, ?> run, String field) {
		return ((Number) run.get(field)).longValue();
	}

	@Test
	void aRunWhoseWorkerIsKilledIsResumedByAnotherAndChargesEverySubscriptionExactlyOnce() throws SQLException {
		ConfigurableApplicationContext first = startInstance();
		WebTestClient firstClient = client(first);
		String product = downstreams.product(PRICE, "EUR", "MONTH", true);
		Map<String, String> accountOf = new HashMap<>();
		for (int i = 0; i < SUBSCRIPTIONS; i++) {
			String customer = downstreams.customer("ACTIVE");
			String account = downstreams.account(customer, "EUR", "OPEN", 10_000);
			String id = firstClient.post().uri("/v1/subscriptions").contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", UUID.randomUUID().toString())
				.bodyValue("{\"customerId\":\"" + customer + "\",\"productId\":\"" + product + "\",\"accountId\":\"" + account + "\"}")
				.exchange().expectStatus().isCreated()
				.returnResult(String.class).getResponseHeaders().getLocation().getPath().replace("/v1/subscriptions/", "");
			accountOf.put(id, account);
		}
		// slow charges: the run takes a few seconds, long enough to be killed in the middle
		downstreams.chargeDelayMillis = 100;
		String location = firstClient.post().uri("/v1/billing-runs").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.bodyValue("{\"asOf\":\"" + Instant.now().plus(Duration.ofDays(40)) + "\"}")
			.exchange().expectStatus().isAccepted()
			.returnResult(String.class).getResponseHeaders().getLocation().getPath();
		Polling.until(Duration.ofSeconds(60), "the first worker to charge some subscriptions",
				() -> count(run(firstClient, location), "charged") >= 10);

		first.close();
		Map<?, ?> atKill;
		ConfigurableApplicationContext second = startInstance();
		WebTestClient secondClient = client(second);
		atKill = run(secondClient, location);
		assertThat(atKill.get("status")).isEqualTo("RUNNING");
		assertThat(count(atKill, "charged")).isLessThan(SUBSCRIPTIONS);

		Polling.until(Duration.ofSeconds(90), "the second worker to complete the run",
				() -> "COMPLETED".equals(run(secondClient, location).get("status")));
		Map<?, ?> done = run(secondClient, location);
		assertThat(count(done, "total")).isEqualTo(SUBSCRIPTIONS);
		assertThat(count(done, "charged")).isEqualTo(SUBSCRIPTIONS);
		assertThat(count(done, "failed")).isZero();

		// the ledger: one charge for period 2 of every subscription, and every account charged exactly twice
		// (period 1 when subscribing, period 2 by the run), however often a charge was asked for
		for (Map.Entry<String, String> subscription : accountOf.entrySet()) {
			String charge = ChargeKeys.charge(UUID.fromString(subscription.getKey()), 2).toString();
			assertThat(downstreams.postedCharges).containsKey(charge);
			assertThat(downstreams.balance(subscription.getValue())).isEqualTo(10_000 - 2 * PRICE);
			secondClient.get().uri("/v1/subscriptions/{id}", subscription.getKey()).exchange()
				.expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
		}
		assertThat(downstreams.postedCharges).hasSize(2 * SUBSCRIPTIONS);
		// every charge, by either worker, was made with the service's own token for the run's tenant (the token
		// names none: the header does), never with the token of the client that started the run
		assertThat(downstreams.chargeCalls()).isNotEmpty()
			.allSatisfy((call) -> ServiceCalls.assertServiceCallFor(call, TestJwtIssuer.TENANT_A.toString()));
		try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.username(),
				database.password()); Statement statement = connection.createStatement()) {
			// row-level security: the test's rows are its token's tenant's, and show only in that tenant's scope
			statement.execute("SELECT set_config('scalarhub.tenant_id', '" + TestJwtIssuer.TENANT_A + "', false)");
			ResultSet claims = statement.executeQuery("SELECT claims FROM billing_run WHERE id = '"
					+ location.replace("/v1/billing-runs/", "") + "'");
			claims.next();
			assertThat(claims.getInt(1)).as("the run was taken over").isEqualTo(2);
			ResultSet periods = statement.executeQuery("SELECT count(*) FROM subscription WHERE period_number = 2");
			periods.next();
			assertThat(periods.getInt(1)).isEqualTo(SUBSCRIPTIONS);
		}
	}

}
