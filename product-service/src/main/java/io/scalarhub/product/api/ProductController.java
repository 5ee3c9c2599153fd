package io.scalarhub.product.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.web.ETags;
import io.scalarhub.product.domain.Product;
import io.scalarhub.product.domain.ProductCatalog;
import jakarta.validation.Valid;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/products}: the Products part of the public contract (docs/api.md). Reads are cacheable by any
 * cache ({@code Cache-Control: public, max-age=60}) and carry a strong ETag; a conditional GET whose
 * {@code If-None-Match} names it is a 304 without a body. The OpenAPI annotations name each operation for
 * client generators and document the outcomes only this controller knows; the platform adds the problems
 * every operation shares (ApiDocsAutoConfiguration).
 */
@Tag(name = "Products", description = "what your organisation sells")
@RestController
@RequestMapping(path = "/v1/products", produces = MediaType.APPLICATION_JSON_VALUE)
class ProductController {

	static final String MERGE_PATCH_JSON = "application/merge-patch+json";

	/**
	 * Product reads are the same for every client of a tenant, so shared caches may keep them ({@code public}
	 * lets them keep an answer to an authenticated request) — but only per token: the same URL shows another
	 * tenant other products, or a 404. Hence {@code Vary: Authorization} on every read, so that no shared
	 * cache (a CDN, a proxy) ever serves one tenant's entry to another; the gateway's cache keys its entries
	 * by the Authorization header as well.
	 */
	static final String CACHEABLE = "public, max-age=60";

	private final ProductCatalog products;

	ProductController(ProductCatalog products) {
		this.products = products;
	}

	@Operation(operationId = "createProduct", summary = "Create a product")
	@ApiResponse(responseCode = "201", description = "Created, active",
			headers = { @Header(name = "Location", description = "the new product's URL"),
					@Header(name = "ETag", description = "the product's version, for If-Match") })
	@ApiResponse(responseCode = "409", description = "`sku-taken`: a product of your tenant has this SKU (in any case)")
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<ProductResponse>> create(@Valid @RequestBody CreateProductRequest request) {
		if (!Currencies.isIso4217(request.price().currency())) {
			return Mono.error(ApiProblem.validation("price.currency", "must be an ISO 4217 code in upper case"));
		}
		return this.products.create(request.toNewProduct())
			.map((product) -> ResponseEntity.created(URI.create("/v1/products/" + product.id()))
				.eTag(product.etag())
				.body(ProductResponse.of(product)));
	}

	@Operation(operationId = "getProduct", summary = "Get a product")
	@ApiResponse(responseCode = "200", description = "OK, cacheable per token",
			headers = { @Header(name = "ETag", description = "the product's version"),
					@Header(name = "Cache-Control", description = "public, max-age=60"),
					@Header(name = "Vary", description = "Authorization: each token sees its tenant's products") })
	@ApiResponse(responseCode = "304", description = "Not modified: If-None-Match names the current ETag",
			headers = { @Header(name = "ETag", description = "the product's version"),
					@Header(name = "Cache-Control", description = "public, max-age=60") })
	@GetMapping("/{id}")
	Mono<ResponseEntity<ProductResponse>> get(@PathVariable UUID id,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
		return this.products.get(id)
			.map((product) -> cacheable(product.etag(), ifNoneMatch, () -> ProductResponse.of(product)));
	}

	@Operation(operationId = "listProducts", summary = "List products, newest first")
	@ApiResponse(responseCode = "200", description = "OK, cacheable per token",
			headers = { @Header(name = "ETag", description = "a digest of the page"),
					@Header(name = "Cache-Control", description = "public, max-age=60"),
					@Header(name = "Vary", description = "Authorization: each token sees its tenant's products") })
	@ApiResponse(responseCode = "304", description = "Not modified: If-None-Match names the current ETag",
			headers = { @Header(name = "ETag", description = "a digest of the page"),
					@Header(name = "Cache-Control", description = "public, max-age=60") })
	@GetMapping
	Mono<ResponseEntity<PageResponse<ProductResponse>>> list(@RequestParam(required = false) Boolean active,
			PageQuery page, @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
		return this.products.list(active, page)
			.map((result) -> cacheable(listETag(result), ifNoneMatch,
					() -> new PageResponse<>(result.content().stream().map(ProductResponse::of).toList(),
							result.page())));
	}

	@Operation(operationId = "updateProduct", summary = "Change a product (JSON merge patch)")
	@ApiResponse(responseCode = "200", description = "OK",
			headers = @Header(name = "ETag", description = "the product's new version"))
	@PatchMapping(path = "/{id}", consumes = { MERGE_PATCH_JSON, MediaType.APPLICATION_JSON_VALUE })
	Mono<ResponseEntity<ProductResponse>> patch(@PathVariable UUID id,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
			@RequestBody JsonNode patch) {
		return Mono.fromCallable(() -> ProductPatch.parse(patch))
			.flatMap((changes) -> this.products.update(id, ifMatch, changes))
			.map((product) -> ResponseEntity.ok().eTag(product.etag()).body(ProductResponse.of(product)));
	}

	private static <T> ResponseEntity<T> cacheable(String etag, String ifNoneMatch,
			java.util.function.Supplier<T> body) {
		if (ifNoneMatch != null && ETags.anyMatches(ifNoneMatch, etag)) {
			return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
				.eTag(etag)
				.header(HttpHeaders.CACHE_CONTROL, CACHEABLE)
				.varyBy(HttpHeaders.AUTHORIZATION)
				.build();
		}
		return ResponseEntity.ok()
			.eTag(etag)
			.header(HttpHeaders.CACHE_CONTROL, CACHEABLE)
			.varyBy(HttpHeaders.AUTHORIZATION)
			.body(body.get());
	}

	/**
	 * A strong ETag of a list page: a digest of what the page shows (each product's id and version, in order,
	 * and the paging numbers), so it changes whenever the page's body would.
	 */
	static String listETag(PageResponse<Product> page) {
		StringBuilder state = new StringBuilder();
		page.content().forEach((product) -> state.append(product.id()).append(':').append(product.version()).append(';'));
		state.append(page.page());
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(state.toString().getBytes(StandardCharsets.UTF_8));
			return "\"p-" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
