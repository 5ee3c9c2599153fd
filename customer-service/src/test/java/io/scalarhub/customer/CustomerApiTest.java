package io.scalarhub.customer;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.CommittedOpenApi;
import io.scalarhub.test.PublishedOpenApi;
import io.scalarhub.test.ServiceCalls;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.StubService;
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
 * The Customers contract over real HTTP, against a real PostgreSQL database of the test's own and tokens
 * verified against a real JWKS endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CustomerApiTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	/** account-service, answering how many accounts a customer still has (none unless a test says so). */
	static final StubService accounts = new StubService();

	static final Map<String, Integer> notClosedAccounts = new ConcurrentHashMap<>();

	/** subscription-service, answering how many subscriptions a customer still has (none unless a test says so). */
	static final StubService subscriptions = new StubService();

	static final Map<String, Integer> activeSubscriptions = new ConcurrentHashMap<>();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer"), issuer);
		ServiceTestProperties.registerDownstream(registry, "account-service", accounts.url());
		accounts.on("GET", "/internal/accounts/not-closed", (request) -> {
			if (!fromCustomerServiceItself(request)) {
				return new StubService.Response(403, "{\"status\":403}");
			}
			String customer = request.query().replace("customerId=", "");
			return StubService.Response.ok("{\"customerId\":\"" + customer + "\",\"count\":"
					+ notClosedAccounts.getOrDefault(customer, 0) + "}");
		});
		ServiceTestProperties.registerDownstream(registry, "subscription-service", subscriptions.url());
		subscriptions.on("GET", "/internal/subscriptions/active", (request) -> {
			if (!fromCustomerServiceItself(request)) {
				return new StubService.Response(403, "{\"status\":403}");
			}
			String customer = request.query().replace("customerId=", "");
			return StubService.Response.ok("{\"customerId\":\"" + customer + "\",\"count\":"
					+ activeSubscriptions.getOrDefault(customer, 0) + "}");
		});
	}

	/**
	 * What the real services' internal API accepts: customer-service's own token (scope internal, no tenant of
	 * its own) naming the tenant in X-Scalarhub-Tenant; never the API client's token.
	 */
	static boolean fromCustomerServiceItself(StubService.Request request) {
		return ServiceCalls.admitted(request) && TestJwtIssuer.TENANT_A.toString().equals(request.tenant());
	}

	@AfterAll
	static void stop() {
		issuer.close();
		accounts.close();
		subscriptions.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	@Autowired
	MeterRegistry meters;

	/** A test that killed a dependency may have opened its circuit: the next one starts with closed circuits. */
	@AfterEach
	void closedCircuits() {
		accounts.recover();
		subscriptions.recover();
		this.circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
	}

	WebTestClient client;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION,
					"Bearer " + issuer.token("test-client", "customers:read", "customers:write"))
			.build();
	}

	static String uniqueEmail() {
		return "c-" + UUID.randomUUID() + "@example.com";
	}

	String create(String email) {
		return this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada Lovelace\",\"email\":\"" + email + "\",\"phone\":\"+44 20 7946 0000\","
					+ "\"metadata\":{\"plan\":\"gold\"}}")
			.exchange()
			.expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/customers/", "");
	}

	@Test
	void createReturns201WithLocationETagAndTheCustomer() {
		String email = uniqueEmail();
		this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + email + "\",\"metadata\":{\"plan\":\"gold\"}}")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.valueMatches(HttpHeaders.LOCATION, "/v1/customers/[0-9a-f-]{36}")
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody()
			.jsonPath("$.id").isNotEmpty()
			.jsonPath("$.name").isEqualTo("Ada")
			.jsonPath("$.email").isEqualTo(email)
			.jsonPath("$.phone").isEmpty()
			.jsonPath("$.metadata.plan").isEqualTo("gold")
			.jsonPath("$.status").isEqualTo("ACTIVE")
			.jsonPath("$.createdAt").value((String createdAt) -> assertThat(createdAt).endsWith("Z"))
			.jsonPath("$.updatedAt").isNotEmpty();
	}

	@Test
	void createdCustomerReadsBackTheSame() {
		String id = create(uniqueEmail());
		this.client.get()
			.uri("/v1/customers/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody()
			.jsonPath("$.id").isEqualTo(id)
			.jsonPath("$.phone").isEqualTo("+44 20 7946 0000");
	}

	@Test
	void duplicateEmailInAnyCaseIs409() {
		String email = uniqueEmail();
		create(email);
		this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Other\",\"email\":\"" + email.toUpperCase() + "\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/email-taken")
			.jsonPath("$.status").isEqualTo(409)
			.jsonPath("$.instance").isEqualTo("/v1/customers")
			.jsonPath("$.requestId").isNotEmpty();
	}

	@Test
	void unknownCustomerIs404Problem() {
		this.client.get()
			.uri("/v1/customers/{id}", UUID.randomUUID())
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
	}

	@Test
	void malformedIdIs400NamingTheParameter() {
		this.client.get()
			.uri("/v1/customers/not-a-uuid")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("id")
			.jsonPath("$.errors[0].message").isEqualTo("must be a UUID");
	}

	/** An id of only blanks converts to no id at all: still the client's bad id, never a 500 (bad-input corpus). */
	@Test
	void blankIdIs400NamingTheParameter() {
		for (String blank : new String[] { " ", "   " }) {
			this.client.get()
				.uri("/v1/customers/{id}", blank)
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.errors[0].field").isEqualTo("id")
				.jsonPath("$.errors[0].message").isEqualTo("must be a UUID");
		}
	}

	/**
	 * Bytes that are no UTF-8 are refused, overlong forms included (Jackson alone reads {@code C0 AF} as
	 * {@code /}), and nothing is created (bad-input corpus).
	 */
	@Test
	void aBodyThatIsNotUtf8Is400AndCreatesNothing() {
		for (byte[] invalid : new byte[][] { { (byte) 0xC0, (byte) 0xAF }, { (byte) 0xED, (byte) 0xA0, (byte) 0x80 },
				{ (byte) 0xFF } }) {
			String email = uniqueEmail();
			byte[] prefix = "{\"name\":\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
			byte[] suffix = ("\",\"email\":\"" + email + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
			byte[] body = new byte[prefix.length + invalid.length + suffix.length];
			System.arraycopy(prefix, 0, body, 0, prefix.length);
			System.arraycopy(invalid, 0, body, prefix.length, invalid.length);
			System.arraycopy(suffix, 0, body, prefix.length + invalid.length, suffix.length);
			this.client.post()
				.uri("/v1/customers")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/malformed-request");
			this.client.get()
				.uri("/v1/customers?email={email}", email)
				.exchange()
				.expectBody()
				.jsonPath("$.page.totalElements").isEqualTo(0);
		}
	}

	@Test
	void invalidFieldsAre400WithEveryError() {
		this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"  \",\"email\":\"not-an-email\",\"phone\":\"call me\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/validation-error")
			.jsonPath("$.errors[?(@.field == 'name')]").exists()
			.jsonPath("$.errors[?(@.field == 'email')]").exists()
			.jsonPath("$.errors[?(@.field == 'phone')]").exists();
	}

	@Test
	void unknownFieldIs400() {
		this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + uniqueEmail() + "\",\"nickname\":\"A\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("nickname")
			.jsonPath("$.errors[0].message").isEqualTo("unknown field");
	}

	@Test
	void malformedJsonAndWrongTypesAre400WithoutInternals() {
		String body = this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\": \"Ada\", \"email\": ")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).contains("malformed-request").doesNotContain("jackson").doesNotContain("Exception");
		this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + uniqueEmail() + "\",\"metadata\":{\"plan\":7}}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("metadata.plan");
	}

	@Test
	void aRefusedCreateWritesNothing() {
		String email = uniqueEmail();
		StringBuilder metadata = new StringBuilder("{");
		for (int i = 0; i < 51; i++) {
			metadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
		}
		metadata.append("}");
		this.client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + email + "\",\"metadata\":" + metadata + "}")
			.exchange()
			.expectStatus()
			.isBadRequest();
		this.client.get()
			.uri((uri) -> uri.path("/v1/customers").queryParam("email", email).build())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.page.totalElements").isEqualTo(0);
	}

	@Test
	void listFiltersByEmailCaseInsensitivelyInTheContractShape() {
		String email = uniqueEmail();
		String id = create(email);
		this.client.get()
			.uri((uri) -> uri.path("/v1/customers").queryParam("email", email.toUpperCase()).build())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.content.length()").isEqualTo(1)
			.jsonPath("$.content[0].id").isEqualTo(id)
			.jsonPath("$.page.size").isEqualTo(20)
			.jsonPath("$.page.number").isEqualTo(0)
			.jsonPath("$.page.totalElements").isEqualTo(1)
			.jsonPath("$.page.totalPages").isEqualTo(1);
	}

	@Test
	void pagesDoNotOverlapAndCountEverything() {
		for (int i = 0; i < 3; i++) {
			create(uniqueEmail());
		}
		byte[] first = this.client.get().uri("/v1/customers?page=0&size=2").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.content.length()").isEqualTo(2)
			.jsonPath("$.page.size").isEqualTo(2)
			.returnResult()
			.getResponseBody();
		byte[] second = this.client.get().uri("/v1/customers?page=1&size=2").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.page.number").isEqualTo(1)
			.returnResult()
			.getResponseBody();
		String firstIds = new String(first).replaceAll(".*?\"id\":\"([^\"]+)\".*?", "$1 ");
		String secondPage = new String(second);
		for (String id : firstIds.trim().split(" ")) {
			if (id.matches("[0-9a-f-]{36}")) {
				assertThat(secondPage).doesNotContain(id);
			}
		}
	}

	@Test
	void outOfRangePagingIs400NotAClamp() {
		for (String query : new String[] { "size=0", "size=101", "page=-1", "size=abc", "page=1.5" }) {
			this.client.get()
				.uri("/v1/customers?" + query)
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.errors[0].field").isEqualTo(query.substring(0, query.indexOf('=')));
		}
	}

	@Test
	void mergePatchChangesOnlyWhatItNamesAndBumpsTheETag() {
		String id = create(uniqueEmail());
		this.client.patch()
			.uri("/v1/customers/{id}", id)
			.contentType(MediaType.parseMediaType("application/merge-patch+json"))
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.bodyValue("{\"name\":\"Ada King\",\"phone\":null,\"metadata\":{\"plan\":null,\"tier\":\"b\"}}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"2\"")
			.expectBody()
			.jsonPath("$.name").isEqualTo("Ada King")
			.jsonPath("$.phone").isEmpty()
			.jsonPath("$.metadata.plan").doesNotExist()
			.jsonPath("$.metadata.tier").isEqualTo("b");
	}

	@Test
	void staleIfMatchIs412AndChangesNothing() {
		String id = create(uniqueEmail());
		this.client.patch()
			.uri("/v1/customers/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"First\"}")
			.exchange()
			.expectStatus()
			.isOk();
		this.client.patch()
			.uri("/v1/customers/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.bodyValue("{\"name\":\"Second\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(412)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/precondition-failed");
		this.client.get().uri("/v1/customers/{id}", id).exchange().expectBody().jsonPath("$.name").isEqualTo("First");
	}

	@Test
	void patchRefusesReadOnlyAndUnknownFields() {
		String id = create(uniqueEmail());
		this.client.patch()
			.uri("/v1/customers/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"email\":\"x@example.com\",\"colour\":\"red\",\"name\":null}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[?(@.field == 'email')].message").isEqualTo("cannot be changed")
			.jsonPath("$.errors[?(@.field == 'colour')].message").isEqualTo("unknown field")
			.jsonPath("$.errors[?(@.field == 'name')]").exists();
	}

	@Test
	void deleteClosesTheCustomerWhoThenCannotChange() {
		String id = create(uniqueEmail());
		this.client.delete().uri("/v1/customers/{id}", id).exchange().expectStatus().isNoContent();
		this.client.get()
			.uri("/v1/customers/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("CLOSED");
		this.client.patch()
			.uri("/v1/customers/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Back\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(409);
		this.client.delete().uri("/v1/customers/{id}", UUID.randomUUID()).exchange().expectStatus().isNotFound();
	}

	@Test
	void aCustomerWithAccountsThatAreNotClosedCannotBeClosed() {
		String id = create(uniqueEmail());
		notClosedAccounts.put(id, 2);
		this.client.delete()
			.uri("/v1/customers/{id}", id)
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/customer-has-open-accounts");
		this.client.get().uri("/v1/customers/{id}", id).exchange().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
		notClosedAccounts.remove(id);
		this.client.delete().uri("/v1/customers/{id}", id).exchange().expectStatus().isNoContent();
	}

	@Test
	void aCustomerWithSubscriptionsThatAreNotCanceledCannotBeClosed() {
		String id = create(uniqueEmail());
		activeSubscriptions.put(id, 1);
		this.client.delete()
			.uri("/v1/customers/{id}", id)
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/customer-has-active-subscriptions");
		this.client.get().uri("/v1/customers/{id}", id).exchange().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
		activeSubscriptions.remove(id);
		this.client.delete().uri("/v1/customers/{id}", id).exchange().expectStatus().isNoContent();
	}

	@Test
	void whenSubscriptionServiceCannotBeAskedClosingIs503NeverAGuess() {
		String id = create(uniqueEmail());
		subscriptions.kill();
		try {
			this.client.delete()
				.uri("/v1/customers/{id}", id)
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.exists("Retry-After");
		}
		finally {
			subscriptions.recover();
		}
		this.client.get().uri("/v1/customers/{id}", id).exchange().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
	}

	@Test
	void whenAccountServiceCannotBeAskedClosingIs503NeverAGuess() {
		String id = create(uniqueEmail());
		accounts.kill();
		try {
			this.client.delete()
				.uri("/v1/customers/{id}", id)
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.exists("Retry-After");
		}
		finally {
			accounts.recover();
		}
		this.client.get().uri("/v1/customers/{id}", id).exchange().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
	}

	@Test
	void otherServicesReadACustomersStatusOnTheInternalPath() {
		String id = create(uniqueEmail());
		WebTestClient accountService = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.serviceToken("account-service"))
			.defaultHeader("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.build();
		accountService.get()
			.uri("/internal/customers/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("ACTIVE");
		accountService.get().uri("/internal/customers/{id}", UUID.randomUUID()).exchange().expectStatus().isNotFound();
		// the API client that created it cannot use the internal path
		this.client.get()
			.uri("/internal/customers/{id}", id)
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	/** The published OpenAPI is the public API: the internal endpoint is not in it. */
	@Test
	void theOpenApiDocumentPublishesNoInternalEndpoint() {
		WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.build()
			.get()
			.uri("/v3/api-docs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((openApi) -> assertThat(openApi).contains("\"/v1/customers/{id}\"").doesNotContain("/internal"));
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
	 * What a client generator reads: the operations' names and tags, their real success statuses and
	 * headers, and each problem they answer with.
	 */
	@Test
	void theOpenApiDocumentIsHonestAndGeneratorReady() {
		PublishedOpenApi docs = PublishedOpenApi.fetch(this.port).assertGeneratorReady();
		assertThat(docs.operationIds()).isEqualTo(Map.of("POST /v1/customers", "createCustomer",
				"GET /v1/customers", "listCustomers", "GET /v1/customers/{id}", "getCustomer",
				"PATCH /v1/customers/{id}", "updateCustomer", "DELETE /v1/customers/{id}", "closeCustomer"));
		assertThat(docs.tags()).containsExactly("Customers");

		PublishedOpenApi.Operation create = docs.operation("POST", "/v1/customers");
		assertThat(create.successStatuses()).containsExactly("201");
		assertThat(create.responseHeaders("201")).contains("Location", "ETag");
		assertThat(create.responseSchema("201").path("$ref").asString()).endsWith("/CustomerResponse");
		assertThat(create.description("409")).contains("email-taken");
		assertThat(create.statuses()).doesNotContain("404", "412");

		PublishedOpenApi.Operation get = docs.operation("GET", "/v1/customers/{id}");
		assertThat(get.successStatuses()).containsExactly("200");
		assertThat(get.responseHeaders("200")).contains("ETag");
		assertThat(get.statuses()).contains("404");

		PublishedOpenApi.Operation update = docs.operation("PATCH", "/v1/customers/{id}");
		assertThat(update.requiresHeader("If-Match")).isFalse();
		// If-Match is optional here, so a missing one is no 428
		assertThat(update.statuses()).contains("404", "409", "412").doesNotContain("428");
		assertThat(update.description("409")).contains("customer-closed");
		assertThat(update.json().path("requestBody").path("content").propertyNames())
			.contains("application/merge-patch+json");

		PublishedOpenApi.Operation close = docs.operation("DELETE", "/v1/customers/{id}");
		assertThat(close.successStatuses()).containsExactly("204");
		assertThat(close.response("204").has("content")).isFalse();
		assertThat(close.description("409")).contains("customer-has-open-accounts", "customer-has-active-subscriptions");

		assertThat(docs.operation("GET", "/v1/customers").parameter("query", "email")).isPresent();
	}

	/** Paths the security firewall refuses are problems like every other error, straight at the service too. */
	@Test
	void encodedNulsSlashesAndDotSegmentsInThePathAre400Problems() throws Exception {
		java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
		for (String path : new String[] { "/v1/customers/%00", "/v1/customers/a%00b", "/v1/customers/%2e%2e/x",
				"/v1/customers/..%2Fx", "/v1/customers/%2F", "/v1/customers/%5c" }) {
			java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create("http://localhost:" + this.port + path))
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("test-client", "customers:read"))
				.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(path).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
			assertThat(response.body()).as(path).contains("\"status\":400").contains("\"requestId\"");
		}
	}

	@Test
	void requestsWithoutAValidTokenAre401Problems() {
		WebTestClient anonymous = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
		anonymous.get()
			.uri("/v1/customers")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/unauthorized");
		for (String token : new String[] { issuer.unsignedToken("x", "customers:read"),
				issuer.tokenWithWrongSignature("x", "customers:read"), issuer.expiredToken("x", "customers:read"),
				issuer.tokenFromOtherIssuer("x", "customers:read"), issuer.tokenForAnotherAudience("x", "customers:read"),
				issuer.tokenWithoutAudience("x", "customers:read"), "not.a.jwt" }) {
			anonymous.get()
				.uri("/v1/customers")
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
				.exchange()
				.expectStatus()
				.isUnauthorized()
				.expectHeader()
				.valueMatches(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\".*");
		}
	}

	@Test
	void aClientsTokenIsVerifiedOnceAndAnotherAudiencesNeverPasses() {
		double hits = verifiedTokenCacheGets("hit");
		double misses = verifiedTokenCacheGets("miss");
		String token = issuer.token("repeat-client", "customers:read");
		String otherAudience = issuer.tokenForAnotherAudience("repeat-client", "customers:read");
		for (int i = 0; i < 2; i++) {
			this.client.get().uri("/v1/customers").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
				.exchange().expectStatus().isOk();
			this.client.get().uri("/v1/customers").header(HttpHeaders.AUTHORIZATION, "Bearer " + otherAudience)
				.exchange().expectStatus().isUnauthorized();
		}
		// the second use of the valid token came from the service's verified-token cache; the refused one was
		// verified (and refused) both times
		assertThat(verifiedTokenCacheGets("hit") - hits).isEqualTo(1);
		assertThat(verifiedTokenCacheGets("miss") - misses).isEqualTo(3);
	}

	double verifiedTokenCacheGets(String result) {
		return this.meters.get("cache.gets").tags("cache", "security.verified-tokens", "result", result)
			.functionCounter().count();
	}

	@Test
	void aTokenWithoutTheWriteScopeIs403() {
		this.client.post()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("reader", "customers:read"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Ada\",\"email\":\"" + uniqueEmail() + "\"}")
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
		this.client.get()
			.uri("/v1/customers")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("writer", "accounts:read"))
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void requestIdIsEchoedWhenSaneAndReplacedWhenNot() {
		this.client.get()
			.uri("/v1/customers")
			.header("X-Request-Id", "client-req-42")
			.exchange()
			.expectHeader()
			.valueEquals("X-Request-Id", "client-req-42");
		this.client.get()
			.uri("/v1/customers")
			.header("X-Request-Id", "bad id\twith spaces")
			.exchange()
			.expectHeader()
			.valueMatches("X-Request-Id", "[0-9a-f-]{36}");
	}

}
