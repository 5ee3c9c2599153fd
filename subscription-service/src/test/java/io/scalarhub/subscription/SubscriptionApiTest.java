package io.scalarhub.subscription;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.scalarhub.subscription.domain.ChargeKeys;
import io.scalarhub.test.CommittedOpenApi;
import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.Polling;
import io.scalarhub.test.PublishedOpenApi;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Subscriptions and billing-run contract over real HTTP and a real database, against its dependencies
 * as real HTTP services on loopback (a ledger that enforces charge ids as the real one does). Money is
 * checked in the ledger: balances and the charges it posted. Everything here is one tenant's (the test
 * token's, tenant A); SubscriptionTenancyTest is about two. Billing runs as of 40 days ahead need test clocks.
 * The dependencies answer only subscription-service's own token naming a tenant, as the real ones do, and
 * every test checks that each call it caused was one, for tenant A: the client's token is never relayed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.billing.test-clocks-enabled=true", "scalarhub.billing.poll-interval=100ms",
				"scalarhub.billing.lease-duration=3s",
				"scalarhub.billing.heartbeat-interval=500ms", "scalarhub.billing.retry-backoff=100ms",
				"scalarhub.billing.max-attempts=3", "resilience4j.timelimiter.instances.customer-service.timeout-duration=300ms" })
class SubscriptionApiTest {

	static final Downstreams downstreams = new Downstreams();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("subscription"), downstreams.issuer);
		downstreams.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@AfterAll
	static void stop() {
		downstreams.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	WebTestClient client;

	/** What the downstreams had received when the test began. */
	List<Integer> callsBefore;

	@BeforeEach
	void client() {
		this.callsBefore = downstreams.mark();
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + downstreams.issuer.token("subscription-test",
					"subscriptions:read", "subscriptions:write", "billing:run"))
			.build();
	}

	/**
	 * Every call subscription-service made downstream in the test was its own (scope internal, no tenant claim:
	 * the API client's token is never relayed), for the test client's tenant, named in X-Scalarhub-Tenant.
	 */
	@AfterEach
	void everyDownstreamCallWasTheServicesOwnForTheClientsTenant() {
		ServiceCalls.assertServiceCallsFor(downstreams.callsSince(this.callsBefore), TestJwtIssuer.TENANT_A.toString());
	}

	@AfterEach
	void dependenciesBack() {
		downstreams.recoverAll();
		this.circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
	}

	/** A customer, a monthly 1000 EUR product and the customer's open EUR account holding {@code balance}. */
	record World(String customer, String product, String account) {
	}

	World world(long balance) {
		String customer = downstreams.customer("ACTIVE");
		return new World(customer, downstreams.product(1000, "EUR", "MONTH", true),
				downstreams.account(customer, "EUR", "OPEN", balance));
	}

	WebTestClient.ResponseSpec subscribe(String key, String customer, String product, String account) {
		WebTestClient.RequestBodySpec request = this.client.post().uri("/v1/subscriptions").contentType(MediaType.APPLICATION_JSON);
		if (key != null) {
			request.header("Idempotency-Key", key);
		}
		return request.bodyValue("{\"customerId\":\"" + customer + "\",\"productId\":\"" + product + "\",\"accountId\":\""
				+ account + "\"}").exchange();
	}

	String subscribe(World world) {
		return subscribe(UUID.randomUUID().toString(), world.customer(), world.product(), world.account()).expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/subscriptions/", "");
	}

	long subscriptionsOf(String customer) {
		Map<?, ?> body = this.client.get().uri("/v1/subscriptions?customerId={id}", customer).exchange()
			.expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
		return ((Number) ((Map<?, ?>) body.get("page")).get("totalElements")).longValue();
	}

	/**
	 * The public API changes only on purpose: what the service serves is its committed document, and a change
	 * that would break a client of a published version fails here (docs/api.md, "Compatibility: the committed
	 * documents").
	 */
	@Test
	void theServedOpenApiIsTheCommittedOne() {
		CommittedOpenApi.assertServedIsCommitted(PublishedOpenApi.fetch(this.port));
	}

	/**
	 * What a client generator reads: the operations' names and tags, their real success statuses (202 for a
	 * billing run) and headers, the required Idempotency-Key, and each problem they answer with.
	 */
	@Test
	void theOpenApiDocumentIsHonestAndGeneratorReady() {
		PublishedOpenApi docs = PublishedOpenApi.fetch(this.port).assertGeneratorReady();
		assertThat(docs.operationIds()).isEqualTo(Map.of("POST /v1/subscriptions", "createSubscription",
				"GET /v1/subscriptions", "listSubscriptions", "GET /v1/subscriptions/{id}", "getSubscription",
				"POST /v1/subscriptions/{id}/cancel", "cancelSubscription", "POST /v1/billing-runs", "startBillingRun",
				"GET /v1/billing-runs/{id}", "getBillingRun"));
		assertThat(docs.tags()).containsExactlyInAnyOrder("Subscriptions", "Billing");

		PublishedOpenApi.Operation create = docs.operation("POST", "/v1/subscriptions");
		assertThat(create.successStatuses()).containsExactly("201");
		assertThat(create.responseHeaders("201")).contains("Location", "ETag", "Idempotent-Replayed");
		assertThat(create.responseSchema("201").path("$ref").asString()).endsWith("/SubscriptionResponse");
		assertThat(create.requiresHeader("Idempotency-Key")).isTrue();
		assertThat(create.description("422")).contains("product-not-recurring", "account-not-owned",
				"insufficient-funds", "idempotency-key-reused");

		PublishedOpenApi.Operation cancel = docs.operation("POST", "/v1/subscriptions/{id}/cancel");
		assertThat(cancel.successStatuses()).containsExactly("200");
		assertThat(cancel.description("409")).contains("subscription-canceled");

		PublishedOpenApi.Operation run = docs.operation("POST", "/v1/billing-runs");
		assertThat(run.tags()).containsExactly("Billing");
		assertThat(run.successStatuses()).containsExactly("202");
		assertThat(run.responseHeaders("202")).contains("Location");
		assertThat(run.responseSchema("202").path("$ref").asString()).endsWith("/BillingRunResponse");
		assertThat(run.requiresHeader("Idempotency-Key")).isTrue();
		assertThat(run.description("422")).contains("test-clock-disabled");
		assertThat(docs.operation("GET", "/v1/billing-runs/{id}").statuses()).contains("404");
	}

	@Test
	void subscribingChargesTheFirstPeriodAndAnswers201Active() {
		World world = world(5000);
		String location = subscribe(UUID.randomUUID().toString(), world.customer(), world.product(), world.account())
			.expectStatus().isCreated()
			.expectHeader().exists("ETag")
			.expectBody()
			.jsonPath("$.status").isEqualTo("ACTIVE")
			.jsonPath("$.customerId").isEqualTo(world.customer())
			.jsonPath("$.productId").isEqualTo(world.product())
			.jsonPath("$.accountId").isEqualTo(world.account())
			.jsonPath("$.cancelAtPeriodEnd").isEqualTo(false)
			.jsonPath("$.currentPeriodStart").exists()
			.jsonPath("$.currentPeriodEnd").exists()
			.jsonPath("$.createdAt").exists()
			.returnResult().getResponseHeaders().getLocation().getPath();
		String id = location.replace("/v1/subscriptions/", "");
		assertThat(downstreams.balance(world.account())).isEqualTo(4000);
		assertThat(downstreams.postedCharges).containsKey(ChargeKeys.charge(UUID.fromString(id), 1).toString());
		this.client.get().uri(location).exchange().expectStatus().isOk().expectHeader().exists("ETag")
			.expectBody().jsonPath("$.id").isEqualTo(id);
		this.client.get().uri("/v1/subscriptions?customerId={c}&status=ACTIVE", world.customer()).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.page.totalElements").isEqualTo(1)
			.jsonPath("$.content[0].id").isEqualTo(id);
		this.client.get().uri("/v1/subscriptions?customerId={c}&status=CANCELED", world.customer()).exchange()
			.expectBody().jsonPath("$.page.totalElements").isEqualTo(0);
		this.client.get().uri("/v1/subscriptions/{id}", UUID.randomUUID()).exchange().expectStatus().isNotFound();
		this.client.get().uri("/v1/subscriptions?size=101").exchange().expectStatus().isBadRequest();
	}

	@Test
	void everyRefusalIs422WithItsTypeAndLeavesNothingBehind() {
		String customer = downstreams.customer("ACTIVE");
		String closed = downstreams.customer("CLOSED");
		String monthly = downstreams.product(1000, "EUR", "MONTH", true);
		String account = downstreams.account(customer, "EUR", "OPEN", 100_000);
		String unknown = UUID.randomUUID().toString();
		expect422(unknown, monthly, account, "customer-not-found");
		expect422(closed, monthly, downstreams.account(closed, "EUR", "OPEN", 100_000), "customer-not-active");
		expect422(customer, unknown, account, "product-not-found");
		expect422(customer, downstreams.product(1000, "EUR", "MONTH", false), account, "product-not-active");
		expect422(customer, downstreams.product(1000, "EUR", "ONE_TIME", true), account, "product-not-recurring");
		expect422(customer, monthly, unknown, "account-not-found");
		expect422(customer, monthly, downstreams.account(downstreams.customer("ACTIVE"), "EUR", "OPEN", 100_000),
				"account-not-owned");
		expect422(customer, monthly, downstreams.account(customer, "EUR", "FROZEN", 100_000), "account-not-open");
		expect422(customer, monthly, downstreams.account(customer, "EUR", "CLOSED", 0), "account-not-open");
		expect422(customer, monthly, downstreams.account(customer, "USD", "OPEN", 100_000), "currency-mismatch");
		String poor = downstreams.account(customer, "EUR", "OPEN", 999);
		expect422(customer, monthly, poor, "insufficient-funds");
		assertThat(downstreams.balance(poor)).isEqualTo(999);
		assertThat(downstreams.balance(account)).isEqualTo(100_000);
		assertThat(subscriptionsOf(customer)).isZero();
		// bad input is 400, not 422
		this.client.post().uri("/v1/subscriptions").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.bodyValue("{\"customerId\":\"" + customer + "\",\"productId\":\"" + monthly + "\"}")
			.exchange().expectStatus().isBadRequest();
		this.client.post().uri("/v1/subscriptions").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.bodyValue("{\"customerId\":\"" + customer + "\",\"productId\":\"" + monthly + "\",\"accountId\":\"" + account
					+ "\",\"plan\":\"x\"}")
			.exchange().expectStatus().isBadRequest();
	}

	void expect422(String customer, String product, String account, String type) {
		subscribe(UUID.randomUUID().toString(), customer, product, account).expectStatus()
			.isEqualTo(422)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/" + type);
	}

	@Test
	void theKeyIsRequiredAndAReplayChargesNothingAgain() {
		World world = world(5000);
		subscribe(null, world.customer(), world.product(), world.account()).expectStatus().isBadRequest();
		String key = UUID.randomUUID().toString();
		byte[] first = subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();
		subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true")
			.expectBody().consumeWith((replay) -> assertThat(replay.getResponseBody()).isEqualTo(first));
		subscribe(key, world.customer(), world.product(), downstreams.account(world.customer(), "EUR", "OPEN", 5000))
			.expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/idempotency-key-reused");
		assertThat(downstreams.balance(world.account())).isEqualTo(4000);
		assertThat(subscriptionsOf(world.customer())).isEqualTo(1);
	}

	@Test
	void aDependencyOutageLeavesNothingHalfMadeAndTheRetrySucceedsOnce() {
		World world = world(5000);
		String key = UUID.randomUUID().toString();
		downstreams.accounts.kill();
		subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isEqualTo(503)
			.expectHeader().exists("Retry-After");
		downstreams.accounts.recover();
		downstreams.ledger.kill();
		subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isEqualTo(503)
			.expectHeader().exists("Retry-After");
		assertThat(subscriptionsOf(world.customer())).isZero();
		assertThat(downstreams.balance(world.account())).isEqualTo(5000);
		downstreams.ledger.recover();
		this.circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
		subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isCreated()
			.expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
		subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isCreated()
			.expectHeader().valueEquals("Idempotent-Replayed", "true");
		assertThat(downstreams.balance(world.account())).isEqualTo(4000);
		assertThat(subscriptionsOf(world.customer())).isEqualTo(1);
	}

	@Test
	void aChargeWhoseAnswerWasLostIsFinishedByTheRetryWithoutChargingTwice() {
		World world = world(5000);
		String key = UUID.randomUUID().toString();
		// the ledger posts the charge, then every answer (the client's retries included) is lost
		downstreams.answersToLose.set(3);
		subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isEqualTo(503);
		assertThat(downstreams.balance(world.account())).isEqualTo(4000);
		assertThat(subscriptionsOf(world.customer())).isZero();
		String id = subscribe(key, world.customer(), world.product(), world.account()).expectStatus().isCreated()
			.returnResult(String.class).getResponseHeaders().getLocation().getPath().replace("/v1/subscriptions/", "");
		String charge = ChargeKeys.charge(UUID.fromString(id), 1).toString();
		assertThat(downstreams.chargeRequests.get(charge).get()).isGreaterThan(1);
		assertThat(downstreams.postedCharges).containsKey(charge);
		assertThat(downstreams.balance(world.account())).isEqualTo(4000);
		assertThat(subscriptionsOf(world.customer())).isEqualTo(1);
	}

	@Test
	void cancelingNowOrAtPeriodEnd() {
		World world = world(5000);
		String now = subscribe(world);
		String atEnd = subscribe(world);
		WebTestClient customerService = customerService();
		customerService.get().uri("/internal/subscriptions/active?customerId={c}", world.customer()).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(2);
		// the API client that subscribed cannot ask on the internal path
		this.client.get().uri("/internal/subscriptions/active?customerId={c}", world.customer()).exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
		this.client.post().uri("/v1/subscriptions/{id}/cancel", atEnd).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"atPeriodEnd\":true}").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("ACTIVE").jsonPath("$.cancelAtPeriodEnd").isEqualTo(true);
		this.client.post().uri("/v1/subscriptions/{id}/cancel", now).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"atPeriodEnd\":false}").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("CANCELED");
		// again: nothing changes; at period end after canceling: 409
		this.client.post().uri("/v1/subscriptions/{id}/cancel", now).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("CANCELED");
		this.client.post().uri("/v1/subscriptions/{id}/cancel", now).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"atPeriodEnd\":true}").exchange().expectStatus().isEqualTo(409);
		this.client.post().uri("/v1/subscriptions/{id}/cancel", UUID.randomUUID()).exchange().expectStatus().isNotFound();
		customerService.get().uri("/internal/subscriptions/active?customerId={c}", world.customer()).exchange()
			.expectBody().jsonPath("$.count").isEqualTo(1);
	}

	/**
	 * customer-service as it asks before closing a customer: its own token (scope internal, no tenant), naming
	 * the tenant of the test client's subscriptions in X-Scalarhub-Tenant.
	 */
	WebTestClient customerService() {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + downstreams.issuer.serviceToken("customer-service"))
			.defaultHeader(Downstreams.TENANT_HEADER, TestJwtIssuer.TENANT_A.toString())
			.build();
	}

	@Test
	void writesNeedTheirScopes() {
		WebTestClient reader = this.client.mutate()
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + downstreams.issuer.token("reader", "subscriptions:read",
					"subscriptions:write"))
			.build();
		reader.post().uri("/v1/billing-runs").header("Idempotency-Key", UUID.randomUUID().toString()).exchange()
			.expectStatus().isForbidden();
		reader.get().uri("/v1/billing-runs/{id}", UUID.randomUUID()).exchange().expectStatus().isForbidden();
		this.client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + downstreams.issuer.token("r", "subscriptions:read"))
			.build().post().uri("/v1/subscriptions/{id}/cancel", UUID.randomUUID()).exchange().expectStatus().isForbidden();
		WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build()
			.get().uri("/v1/subscriptions").exchange().expectStatus().isUnauthorized();
	}

	String startRun(Instant asOf) {
		return this.client.post().uri("/v1/billing-runs").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.bodyValue("{\"asOf\":\"" + asOf + "\"}")
			.exchange()
			.expectStatus().isAccepted()
			.expectHeader().valueMatches("Location", "/v1/billing-runs/[0-9a-f-]{36}")
			.expectBody().jsonPath("$.status").isEqualTo("PENDING")
			.returnResult().getResponseHeaders().getLocation().getPath();
	}

	Map<?, ?> awaitRun(String location) {
		Polling.until(Duration.ofSeconds(60), "billing run " + location + " to end", () -> {
			Object status = run(location).get("status");
			return "COMPLETED".equals(status) || "FAILED".equals(status);
		});
		return run(location);
	}

	Map<?, ?> run(String location) {
		return this.client.get().uri(location).exchange().expectStatus().isOk().expectBody(Map.class).returnResult()
			.getResponseBody();
	}

	Map<?, ?> subscription(String id) {
		return this.client.get().uri("/v1/subscriptions/{id}", id).exchange().expectBody(Map.class).returnResult()
			.getResponseBody();
	}

	@Test
	void aBillingRunRenewsWhatIsDueOnceMarksTheUnderFundedPastDueAndCancelsAtPeriodEnd() {
		World rich = world(5000);
		World poor = world(1000);
		World leaving = world(5000);
		String renewed = subscribe(rich);
		String pastDue = subscribe(poor);
		String canceled = subscribe(leaving);
		this.client.post().uri("/v1/subscriptions/{id}/cancel", canceled).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"atPeriodEnd\":true}").exchange().expectStatus().isOk();
		Object firstEnd = subscription(renewed).get("currentPeriodEnd");
		Instant asOf = Instant.now().plus(Duration.ofDays(40));
		String location = startRun(asOf);
		Map<?, ?> done = awaitRun(location);
		assertThat(done.get("status")).isEqualTo("COMPLETED");
		assertThat(done.get("completedAt")).isNotNull();
		assertThat(((Number) done.get("total")).longValue()).isGreaterThanOrEqualTo(3);
		assertThat(((Number) done.get("charged")).longValue()).isGreaterThanOrEqualTo(1);
		assertThat(((Number) done.get("pastDue")).longValue()).isGreaterThanOrEqualTo(1);
		assertThat(((Number) done.get("pending")).longValue()).isZero();
		assertThat(subscription(renewed).get("status")).isEqualTo("ACTIVE");
		assertThat(subscription(renewed).get("currentPeriodStart")).isEqualTo(firstEnd);
		assertThat(downstreams.balance(rich.account())).isEqualTo(3000);
		assertThat(downstreams.postedCharges).containsKey(ChargeKeys.charge(UUID.fromString(renewed), 2).toString());
		assertThat(subscription(pastDue).get("status")).isEqualTo("PAST_DUE");
		assertThat(downstreams.balance(poor.account())).isZero();
		assertThat(subscription(canceled).get("status")).isEqualTo("CANCELED");
		assertThat(downstreams.balance(leaving.account())).isEqualTo(4000);
		// the same as-of again: the renewed period is not due yet, so nothing is charged twice
		Map<?, ?> again = awaitRun(startRun(asOf));
		assertThat(downstreams.balance(rich.account())).isEqualTo(3000);
		assertThat(again.get("status")).isEqualTo("COMPLETED");
		// the past-due one is tried again by the next run, and renewed once funds are there
		downstreams.balances.get(poor.account()).addAndGet(1000);
		awaitRun(startRun(asOf));
		assertThat(subscription(pastDue).get("status")).isEqualTo("ACTIVE");
		assertThat(downstreams.balance(poor.account())).isZero();
	}

	@Test
	void aLedgerThatStaysDownIsRetriedWithBackoffThenCountedFailedNotRetriedForever() {
		World world = world(5000);
		String id = subscribe(world);
		downstreams.ledger.kill();
		Instant asOf = Instant.now().plus(Duration.ofDays(40));
		Map<?, ?> done = awaitRun(startRun(asOf));
		assertThat(done.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) done.get("failed")).longValue()).isGreaterThanOrEqualTo(1);
		assertThat(subscription(id).get("status")).isEqualTo("ACTIVE");
		assertThat(downstreams.balance(world.account())).isEqualTo(4000);
		downstreams.ledger.recover();
		this.circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
		awaitRun(startRun(asOf));
		assertThat(downstreams.balance(world.account())).isEqualTo(3000);
	}

	@Test
	void aBillingRunNeedsAKeyAndReplays() {
		this.client.post().uri("/v1/billing-runs").exchange().expectStatus().isBadRequest();
		String key = UUID.randomUUID().toString();
		String first = this.client.post().uri("/v1/billing-runs").header("Idempotency-Key", key).exchange()
			.expectStatus().isAccepted().returnResult(String.class).getResponseHeaders().getLocation().getPath();
		this.client.post().uri("/v1/billing-runs").header("Idempotency-Key", key).exchange()
			.expectStatus().isAccepted()
			.expectHeader().valueEquals("Idempotent-Replayed", "true")
			.expectHeader().valueEquals("Location", first);
		awaitRun(first);
		this.client.get().uri("/v1/billing-runs/{id}", UUID.randomUUID()).exchange().expectStatus().isNotFound();
	}

}
