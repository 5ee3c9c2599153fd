package io.scalarhub.product;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TenantIsolation;
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
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenant isolation in product-service: a client of tenant B never sees, lists or changes tenant A's products
 * (404, as if they did not exist), not even while they sit in the in-process cache because A just read them;
 * skus are unique per tenant; a platform service reads a product only for the tenant it names; and the
 * internal API is a platform service's alone: an API client's token there is 403, whatever its scopes or
 * tenant. Against the real database, with row-level security enforced.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProductTenancyTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	static final TestPostgres.Database database = TestPostgres.createDatabase("product");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, database, issuer);
	}

	@AfterAll
	static void stop() {
		issuer.close();
	}

	@LocalServerPort
	int port;

	WebTestClient tenantA;

	WebTestClient tenantB;

	@BeforeEach
	void clients() {
		this.tenantA = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_A, "client-a", "products:read", "products:write"));
		this.tenantB = client(issuer.tokenForTenant(TestJwtIssuer.TENANT_B, "client-b", "products:read", "products:write"));
	}

	WebTestClient client(String token) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.build();
	}

	static String uniqueSku() {
		return "SKU-" + UUID.randomUUID();
	}

	static WebTestClient.ResponseSpec post(WebTestClient client, String sku) {
		return client.post()
			.uri("/v1/products")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"sku\":\"" + sku + "\",\"name\":\"Pro plan\",\"price\":{\"amount\":1050,\"currency\":\"EUR\"},"
					+ "\"interval\":\"MONTH\"}")
			.exchange();
	}

	static String create(WebTestClient client, String sku) {
		return post(client, sku).expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.getPath()
			.replace("/v1/products/", "");
	}

	@Test
	void anotherTenantsProductIsNotFoundForEveryOperationAndStaysUnchanged() {
		String id = create(this.tenantA, uniqueSku());

		this.tenantB.get().uri("/v1/products/{id}", id).exchange().expectStatus().isNotFound()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/not-found");
		this.tenantB.get().uri("/v1/products/{id}", id).header(HttpHeaders.IF_NONE_MATCH, "\"1\"").exchange()
			.expectStatus().isNotFound();
		this.tenantB.patch().uri("/v1/products/{id}", id).contentType(MediaType.valueOf("application/merge-patch+json"))
			.bodyValue("{\"name\":\"Mallory\",\"active\":false}").exchange().expectStatus().isNotFound();
		this.tenantB.get().uri("/v1/products?size=100").exchange().expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(id));

		this.tenantA.get().uri("/v1/products/{id}", id).exchange().expectStatus().isOk()
			.expectHeader().valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody().jsonPath("$.name").isEqualTo("Pro plan").jsonPath("$.active").isEqualTo(true);
	}

	@Test
	void aProductOrPageInTheCacheIsServedToItsOwnTenantOnly() {
		String id = create(this.tenantA, uniqueSku());
		// tenant A reads the product and a page twice: the second reads come from the in-process cache
		for (int i = 0; i < 2; i++) {
			this.tenantA.get().uri("/v1/products/{id}", id).exchange().expectStatus().isOk()
				.expectBody().jsonPath("$.id").isEqualTo(id);
			this.tenantA.get().uri("/v1/products?active=true&size=50").exchange().expectStatus().isOk()
				.expectBody(String.class).value((body) -> assertThat(body).contains(id));
		}

		// the same id and the same page, asked by tenant B while A's copies are cached
		this.tenantB.get().uri("/v1/products/{id}", id).exchange().expectStatus().isNotFound();
		this.tenantB.get().uri("/v1/products?active=true&size=50").exchange().expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(id));

		// and B's own product, once B has read it, is not served to A
		String ofB = create(this.tenantB, uniqueSku());
		this.tenantB.get().uri("/v1/products/{id}", ofB).exchange().expectStatus().isOk();
		this.tenantA.get().uri("/v1/products/{id}", ofB).exchange().expectStatus().isNotFound();
	}

	@Test
	void aSkuIsUniquePerTenant() {
		String sku = uniqueSku();
		String inA = create(this.tenantA, sku);
		String inB = create(this.tenantB, sku.toLowerCase());
		assertThat(inB).isNotEqualTo(inA);

		post(this.tenantB, sku).expectStatus().isEqualTo(409)
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/sku-taken");
		post(this.tenantA, sku.toLowerCase()).expectStatus().isEqualTo(409);
		this.tenantA.get().uri("/v1/products/{id}", inA).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.sku").isEqualTo(sku);
		this.tenantB.get().uri("/v1/products/{id}", inB).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.sku").isEqualTo(sku.toLowerCase());
	}

	@Test
	void aTenantHeaderFromAnApiClientChangesNothing() {
		String id = create(this.tenantA, uniqueSku());

		this.tenantB.get().uri("/v1/products/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isNotFound();
		// nor does it open the internal API to an API client: refused before any product is looked up
		this.tenantB.get().uri("/internal/products/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isForbidden()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
	}

	@Test
	void aPlatformServiceReadsAProductOnlyForTheTenantItNames() {
		String id = create(this.tenantA, uniqueSku());
		WebTestClient service = client(issuer.serviceToken("subscription-service"));

		service.get().uri("/internal/products/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString())
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(id).jsonPath("$.active").isEqualTo(true);
		service.get().uri("/internal/products/{id}", id).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_B.toString())
			.exchange().expectStatus().isNotFound();
		service.get().uri("/internal/products/{id}", id).exchange().expectStatus().isForbidden()
			.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		// an API client's token never opens the internal API, whatever tenant it is for
		this.tenantB.get().uri("/internal/products/{id}", id).exchange().expectStatus().isForbidden();
		this.tenantA.get().uri("/internal/products/{id}", id).exchange().expectStatus().isForbidden();
	}

	/** Every scope an API client can be granted, on any service of the platform: none is {@code internal}. */
	static final String[] ALL_API_SCOPES = { "customers:read", "customers:write", "accounts:read", "accounts:write",
			"products:read", "products:write", "subscriptions:read", "subscriptions:write", "billing:run",
			"transactions:read", "transactions:write" };

	/** Every route of InternalProductController, for a product of tenant A. */
	static List<String> internalRoutes(String productOfA) {
		return List.of("/internal/products/" + productOfA);
	}

	@Test
	void theInternalApiIsForPlatformServicesOnlyNeverForAnApiClient() {
		String id = create(this.tenantA, uniqueSku());
		Map<String, String> apiClients = new LinkedHashMap<>();
		for (UUID tenant : List.of(TestJwtIssuer.TENANT_A, TestJwtIssuer.TENANT_B)) {
			apiClients.put("read-only client of " + tenant, issuer.tokenForTenant(tenant, "reader", "products:read"));
			apiClients.put("all-scopes client of " + tenant, issuer.tokenForTenant(tenant, "admin", ALL_API_SCOPES));
		}
		WebTestClient service = client(issuer.serviceToken("subscription-service"));

		for (String route : internalRoutes(id)) {
			apiClients.forEach((name, token) -> {
				client(token).get().uri(route).exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
				// naming a tenant in the header, as a platform service does, changes nothing for an API client
				client(token).get().uri(route).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString()).exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/forbidden");
			});
			service.get().uri(route).header("X-Scalarhub-Tenant", TestJwtIssuer.TENANT_A.toString()).exchange()
				.expectStatus().is2xxSuccessful();
			service.get().uri(route).exchange()
				.expectStatus().isForbidden()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("https://scalarhub.io/problems/tenant-required");
		}
	}

	@Test
	void everyTableIsScopedByPostgresItself() {
		assertThat(TenantIsolation.assertEveryTableIsTenantScoped(database)).contains("product", "idempotency_key");
	}

}
