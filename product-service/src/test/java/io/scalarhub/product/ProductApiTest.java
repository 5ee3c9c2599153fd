package io.scalarhub.product;

import java.util.List;
import java.util.UUID;

import io.scalarhub.test.CommittedOpenApi;
import io.scalarhub.test.PublishedOpenApi;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Products contract over real HTTP, against a real PostgreSQL database of the test's own and tokens
 * verified against a real JWKS endpoint: CRUD, 409 on a duplicate sku, cacheable reads (Cache-Control,
 * strong ETag, 304 on If-None-Match), If-Match on PATCH, scopes, and the internal endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProductApiTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("product"), issuer);
	}

	@AfterAll
	static void stop() {
		issuer.close();
	}

	@LocalServerPort
	int port;

	WebTestClient client;

	@BeforeEach
	void client() {
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION,
					"Bearer " + issuer.token("test-client", "products:read", "products:write"))
			.build();
	}

	static String uniqueSku() {
		return "SKU-" + UUID.randomUUID();
	}

	String create(String sku, String interval) {
		return this.client.post()
			.uri("/v1/products")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + sku + "\",\"name\":\"Pro plan\",\"description\":\"Everything\","
					+ "\"price\":{\"amount\":1050,\"currency\":\"EUR\"},\"interval\":\"" + interval + "\"}")
			.exchange()
			.expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/products/", "");
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
	 * headers (caching too), and each problem they answer with.
	 */
	@Test
	void theOpenApiDocumentIsHonestAndGeneratorReady() {
		PublishedOpenApi docs = PublishedOpenApi.fetch(this.port).assertGeneratorReady();
		assertThat(docs.operationIds()).isEqualTo(java.util.Map.of("POST /v1/products", "createProduct",
				"GET /v1/products", "listProducts", "GET /v1/products/{id}", "getProduct",
				"PATCH /v1/products/{id}", "updateProduct"));
		assertThat(docs.tags()).containsExactly("Products");

		PublishedOpenApi.Operation create = docs.operation("POST", "/v1/products");
		assertThat(create.successStatuses()).containsExactly("201");
		assertThat(create.responseHeaders("201")).contains("Location", "ETag");
		assertThat(create.responseSchema("201").path("$ref").asString()).endsWith("/ProductResponse");
		assertThat(create.description("409")).contains("sku-taken");

		for (String path : new String[] { "/v1/products", "/v1/products/{id}" }) {
			PublishedOpenApi.Operation read = docs.operation("GET", path);
			assertThat(read.successStatuses()).as(path).containsExactly("200");
			assertThat(read.responseHeaders("200")).as(path).contains("ETag", "Cache-Control", "Vary");
			assertThat(read.statuses()).as(path).contains("304");
			assertThat(read.response("304").has("content")).as(path).isFalse();
			assertThat(read.requiresHeader("If-None-Match")).as(path).isFalse();
		}

		PublishedOpenApi.Operation update = docs.operation("PATCH", "/v1/products/{id}");
		assertThat(update.requiresHeader("If-Match")).isFalse();
		// If-Match is optional here, so a missing one is no 428
		assertThat(update.statuses()).contains("404", "412").doesNotContain("428");
		assertThat(update.responseHeaders("200")).contains("ETag");
	}

	@Test
	void createReturns201WithLocationETagAndTheProduct() {
		String sku = uniqueSku();
		this.client.post()
			.uri("/v1/products")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + sku + "\",\"name\":\"Pro\",\"price\":{\"amount\":999,\"currency\":\"USD\"},"
					+ "\"interval\":\"MONTH\"}")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.valueMatches(HttpHeaders.LOCATION, "/v1/products/[0-9a-f-]{36}")
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody()
			.jsonPath("$.id").isNotEmpty()
			.jsonPath("$.sku").isEqualTo(sku)
			.jsonPath("$.name").isEqualTo("Pro")
			.jsonPath("$.description").isEmpty()
			.jsonPath("$.price.amount").isEqualTo(999)
			.jsonPath("$.price.currency").isEqualTo("USD")
			.jsonPath("$.interval").isEqualTo("MONTH")
			.jsonPath("$.active").isEqualTo(true)
			.jsonPath("$.createdAt").value((String createdAt) -> assertThat(createdAt).endsWith("Z"))
			.jsonPath("$.updatedAt").isNotEmpty();
	}

	@Test
	void readsAreCacheableWithAStrongETagAndTheHeadersSecurityWouldOtherwiseWrite() {
		String id = create(uniqueSku(), "YEAR");
		EntityExchangeResult<byte[]> result = this.client.get()
			.uri("/v1/products/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.CACHE_CONTROL, "public, max-age=60")
			.expectHeader()
			.valueEquals(HttpHeaders.VARY, "Authorization")
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectHeader()
			.doesNotExist(HttpHeaders.PRAGMA)
			.expectHeader()
			.doesNotExist(HttpHeaders.EXPIRES)
			.expectBody()
			.jsonPath("$.id").isEqualTo(id)
			.jsonPath("$.interval").isEqualTo("YEAR")
			.returnResult();
		assertThat(result.getResponseHeaders().get(HttpHeaders.CACHE_CONTROL)).hasSize(1);
		this.client.get()
			.uri("/v1/products")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.CACHE_CONTROL, "public, max-age=60")
			.expectHeader()
			.valueMatches(HttpHeaders.ETAG, "\"p-[0-9a-f]{32}\"");
	}

	@Test
	void writesAreNotCacheable() {
		this.client.post()
			.uri("/v1/products")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + uniqueSku() + "\",\"name\":\"P\",\"price\":{\"amount\":1,\"currency\":\"EUR\"},"
					+ "\"interval\":\"ONE_TIME\"}")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.value(HttpHeaders.CACHE_CONTROL, (value) -> assertThat(value).contains("no-store"));
	}

	@Test
	void ifNoneMatchWithTheCurrentETagIs304WithoutABody() {
		String id = create(uniqueSku(), "MONTH");
		EntityExchangeResult<byte[]> notModified = this.client.get()
			.uri("/v1/products/{id}", id)
			.header(HttpHeaders.IF_NONE_MATCH, "\"1\"")
			.exchange()
			.expectStatus()
			.isNotModified()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectHeader()
			.valueEquals(HttpHeaders.CACHE_CONTROL, "public, max-age=60")
			.expectBody()
			.returnResult();
		assertThat(notModified.getResponseBody()).isNullOrEmpty();
		// a stale tag is a full 200 with the new one
		this.client.patch()
			.uri("/v1/products/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Renamed\"}")
			.exchange()
			.expectStatus()
			.isOk();
		this.client.get()
			.uri("/v1/products/{id}", id)
			.header(HttpHeaders.IF_NONE_MATCH, "\"1\"")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"2\"")
			.expectBody()
			.jsonPath("$.name").isEqualTo("Renamed");
	}

	@Test
	void aListsETagIs304UntilTheListChanges() {
		String etag = this.client.get()
			.uri("/v1/products?active=true&size=5")
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseHeaders()
			.getETag();
		this.client.get()
			.uri("/v1/products?active=true&size=5")
			.header(HttpHeaders.IF_NONE_MATCH, etag)
			.exchange()
			.expectStatus()
			.isNotModified();
		create(uniqueSku(), "MONTH");
		// the writing instance evicted its cached pages: the new product is on the first page at once
		this.client.get()
			.uri("/v1/products?active=true&size=5")
			.header(HttpHeaders.IF_NONE_MATCH, etag)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.value(HttpHeaders.ETAG, (changed) -> assertThat(changed).isNotEqualTo(etag));
	}

	@Test
	void duplicateSkuInAnyCaseIs409() {
		String sku = uniqueSku();
		create(sku, "MONTH");
		this.client.post()
			.uri("/v1/products")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + sku.toLowerCase() + "\",\"name\":\"Other\","
					+ "\"price\":{\"amount\":5,\"currency\":\"EUR\"},\"interval\":\"YEAR\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/sku-taken")
			.jsonPath("$.status").isEqualTo(409)
			.jsonPath("$.instance").isEqualTo("/v1/products")
			.jsonPath("$.requestId").isNotEmpty();
	}

	@Test
	void unknownProductIs404ProblemAndABadIdIs400() {
		this.client.get()
			.uri("/v1/products/{id}", UUID.randomUUID())
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
		this.client.get()
			.uri("/v1/products/not-a-uuid")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("id");
	}

	@Test
	void invalidFieldsAre400WithEveryErrorAndWriteNothing() {
		String sku = "bad sku!";
		this.client.post()
			.uri("/v1/products")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + sku + "\",\"name\":\" \",\"price\":{\"amount\":0,\"currency\":\"eur\"},"
					+ "\"interval\":\"MONTH\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/validation-error")
			.jsonPath("$.errors[?(@.field == 'sku')]").exists()
			.jsonPath("$.errors[?(@.field == 'name')]").exists()
			.jsonPath("$.errors[?(@.field == 'price.amount')]").exists()
			.jsonPath("$.errors[?(@.field == 'price.currency')]").exists();
		for (String body : List.of(
				"{\"sku\":\"A1\",\"name\":\"P\",\"price\":{\"amount\":1,\"currency\":\"XYZ\"},\"interval\":\"MONTH\"}",
				"{\"sku\":\"A1\",\"name\":\"P\",\"price\":{\"amount\":1,\"currency\":\"EUR\"},\"interval\":\"WEEK\"}",
				"{\"sku\":\"A1\",\"name\":\"P\",\"price\":{\"amount\":1.5,\"currency\":\"EUR\"},\"interval\":\"MONTH\"}",
				"{\"sku\":\"A1\",\"name\":\"P\",\"price\":{\"amount\":99999999999999999999999,\"currency\":\"EUR\"},\"interval\":\"MONTH\"}",
				"{\"sku\":\"A1\",\"name\":\"P\",\"price\":{\"amount\":1,\"currency\":\"EUR\"}}",
				"{\"sku\":\"A1\",\"name\":\"P\",\"price\":{\"amount\":1,\"currency\":\"EUR\"},\"interval\":\"MONTH\",\"colour\":\"red\"}",
				"{\"sku\":\"A1\",\"name\":\"P\",")) {
			String problem = this.client.post()
				.uri("/v1/products")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body)
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody(String.class)
				.returnResult()
				.getResponseBody();
			assertThat(problem).doesNotContain("Exception").doesNotContain("jackson");
		}
		// the service still answers as before: an unknown product is a 404 for the service that asks
		subscriptionService().get()
			.uri("/internal/products/{id}", UUID.randomUUID())
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	@Test
	void listFiltersByActiveInTheContractShapeAndPagingIsChecked() {
		String inactive = create(uniqueSku(), "MONTH");
		this.client.patch()
			.uri("/v1/products/{id}", inactive)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"active\":false}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.active").isEqualTo(false);
		String active = create(uniqueSku(), "MONTH");
		this.client.get()
			.uri("/v1/products?active=false&size=100")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.content[?(@.id == '" + inactive + "')]").exists()
			.jsonPath("$.content[?(@.id == '" + active + "')]").doesNotExist()
			.jsonPath("$.content[?(@.active == true)]").doesNotExist()
			.jsonPath("$.page.size").isEqualTo(100)
			.jsonPath("$.page.number").isEqualTo(0)
			.jsonPath("$.page.totalElements").isNumber()
			.jsonPath("$.page.totalPages").isNumber();
		this.client.get()
			.uri("/v1/products?active=true&size=100")
			.exchange()
			.expectBody()
			.jsonPath("$.content[?(@.id == '" + active + "')]").exists()
			.jsonPath("$.content[?(@.active == false)]").doesNotExist();
		// a control character is never trimmed away into a valid value (bad-input corpus: active=TRUE%00 read as true)
		for (String query : new String[] { "size=0", "size=101", "page=-1", "active=maybe", "active=true%00",
				"active=%0Atrue", "size=5%00" }) {
			this.client.get()
				// as it goes on the wire: a URI template would encode the % again
				.uri(java.net.URI.create("http://localhost:" + this.port + "/v1/products?" + query))
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.errors[0].field").isEqualTo(query.substring(0, query.indexOf('=')));
		}
	}

	@Test
	void patchChangesWhatItNamesBumpsTheETagAndHonoursIfMatch() {
		String id = create(uniqueSku(), "MONTH");
		this.client.patch()
			.uri("/v1/products/{id}", id)
			.contentType(MediaType.parseMediaType("application/merge-patch+json"))
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.bodyValue("{\"name\":\"Pro plus\",\"description\":null,\"price\":{\"amount\":2000,\"currency\":\"GBP\"}}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"2\"")
			.expectBody()
			.jsonPath("$.name").isEqualTo("Pro plus")
			.jsonPath("$.description").isEmpty()
			.jsonPath("$.price.amount").isEqualTo(2000)
			.jsonPath("$.price.currency").isEqualTo("GBP")
			.jsonPath("$.interval").isEqualTo("MONTH");
		this.client.patch()
			.uri("/v1/products/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.bodyValue("{\"name\":\"Lost update\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(412)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/precondition-failed");
		// the writing instance evicted its cached copy: the next read shows the patch, not the cached version 1
		this.client.get()
			.uri("/v1/products/{id}", id)
			.exchange()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"2\"")
			.expectBody()
			.jsonPath("$.name").isEqualTo("Pro plus");
	}

	@Test
	void patchRefusesReadOnlyUnknownAndMistypedFields() {
		String id = create(uniqueSku(), "MONTH");
		this.client.patch()
			.uri("/v1/products/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"X\",\"interval\":\"YEAR\",\"colour\":\"red\",\"active\":\"yes\","
					+ "\"price\":{\"amount\":-1,\"currency\":\"EUR\"},\"name\":null}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[?(@.field == 'sku')].message").isEqualTo("cannot be changed")
			.jsonPath("$.errors[?(@.field == 'interval')].message").isEqualTo("cannot be changed")
			.jsonPath("$.errors[?(@.field == 'colour')].message").isEqualTo("unknown field")
			.jsonPath("$.errors[?(@.field == 'active')]").exists()
			.jsonPath("$.errors[?(@.field == 'price.amount')]").exists()
			.jsonPath("$.errors[?(@.field == 'name')]").exists();
		this.client.get().uri("/v1/products/{id}", id).exchange().expectHeader().valueEquals(HttpHeaders.ETAG, "\"1\"");
		this.client.patch()
			.uri("/v1/products/{id}", UUID.randomUUID())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"X\"}")
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	@Test
	void otherServicesReadTheProductFromThePrimaryOnTheInternalPath() {
		String sku = uniqueSku();
		String id = create(sku, "MONTH");
		this.client.patch()
			.uri("/v1/products/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"price\":{\"amount\":1200,\"currency\":\"EUR\"}}")
			.exchange()
			.expectStatus()
			.isOk();
		WebTestClient subscriptionService = subscriptionService();
		subscriptionService.get()
			.uri("/internal/products/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.value(HttpHeaders.CACHE_CONTROL, (value) -> assertThat(value).contains("no-store"))
			.expectBody()
			.jsonPath("$.id").isEqualTo(id)
			.jsonPath("$.sku").isEqualTo(sku)
			.jsonPath("$.name").isEqualTo("Pro plan")
			.jsonPath("$.active").isEqualTo(true)
			.jsonPath("$.price.amount").isEqualTo(1200)
			.jsonPath("$.price.currency").isEqualTo("EUR")
			.jsonPath("$.interval").isEqualTo("MONTH")
			.jsonPath("$.recurring").isEqualTo(true)
			.jsonPath("$.version").isEqualTo(2);
		String oneTime = create(uniqueSku(), "ONE_TIME");
		subscriptionService.get()
			.uri("/internal/products/{id}", oneTime)
			.exchange()
			.expectBody()
			.jsonPath("$.recurring").isEqualTo(false);
		// the API client that created the product cannot use the internal path
		this.client.get()
			.uri("/internal/products/{id}", id)
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
	}

	/**
	 * subscription-service as it calls product-service: its own token (scope internal, no tenant), naming the
	 * tenant of the test client's products in {@code X-Scalarhub-Tenant}.
	 */
	WebTestClient subscriptionService() {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.serviceToken("subscription-service"))
			.defaultHeader("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.build();
	}

	@Test
	void scopesAreEnforced() {
		WebTestClient anonymous = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
		anonymous.get()
			.uri("/v1/products")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		anonymous.get().uri("/internal/products/{id}", UUID.randomUUID()).exchange().expectStatus().isUnauthorized();
		this.client.post()
			.uri("/v1/products")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("reader", "products:read"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + uniqueSku() + "\",\"name\":\"P\",\"price\":{\"amount\":1,\"currency\":\"EUR\"},"
					+ "\"interval\":\"MONTH\"}")
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
		this.client.get()
			.uri("/v1/products")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token("other", "customers:read"))
			.exchange()
			.expectStatus()
			.isForbidden();
	}

}
