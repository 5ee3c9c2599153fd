package io.scalarhub.product.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.scalarhub.platform.data.OneStatementRead;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.web.ETags;
import io.scalarhub.product.persistence.ProductRepository;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The product use cases against the database. Reads are read-only transactions, so that a read replica can
 * serve them; writes, and the read another service's write flow depends on, run on the primary. Callers go
 * through {@link ProductCatalog}, which caches reads and evicts after each write has committed.
 */
@Service
class ProductService {

	private final ProductRepository repository;

	private final Clock clock = Clock.systemUTC();

	ProductService(ProductRepository repository) {
		this.repository = repository;
	}

	@Transactional
	public Mono<Product> create(NewProduct request) {
		Instant now = now();
		Product product = new Product(UUID.randomUUID(), request.sku(), request.name(), request.description(),
				request.price(), request.interval(), true, 1, now, now);
		return this.repository.insertUnlessSkuTaken(product)
			.switchIfEmpty(Mono.error(() -> ProductProblems.skuTaken(request.sku())));
	}

	@OneStatementRead
	public Mono<Product> get(UUID id) {
		return this.repository.findById(id).switchIfEmpty(Mono.error(() -> ProductProblems.notFound(id)));
	}

	/**
	 * The product as another service's write flow must see it (subscribing): read on the primary, never on a
	 * replica that may not have the latest price or status yet.
	 */
	@Transactional
	public Mono<Product> getFromPrimary(UUID id) {
		return this.repository.findById(id).switchIfEmpty(Mono.error(() -> ProductProblems.notFound(id)));
	}

	@Transactional(readOnly = true)
	public Mono<PageResponse<Product>> list(Boolean active, PageQuery page) {
		return this.repository.findPage(active, page)
			.collectList()
			.zipWith(this.repository.count(active))
			.map((pageAndTotal) -> PageResponse.of(pageAndTotal.getT1(), page, pageAndTotal.getT2()));
	}

	/**
	 * Applies a patch. {@code ifMatch}, when given, must name the current ETag (412 otherwise); the row is
	 * locked while the patch is applied, so two concurrent patches never overwrite each other unseen.
	 */
	@Transactional
	public Mono<Product> update(UUID id, String ifMatch, ProductChanges changes) {
		return this.repository.findByIdForUpdate(id)
			.switchIfEmpty(Mono.error(() -> ProductProblems.notFound(id)))
			.flatMap((current) -> {
				if (ifMatch != null && !ETags.anyMatches(ifMatch, current.etag())) {
					return Mono.error(ApiProblem.preconditionFailed(
							"The product has changed since the ETag in If-Match was read; fetch it again."));
				}
				if (changes.isEmpty()) {
					return Mono.just(current);
				}
				return this.repository.update(changes.applyTo(current, now()));
			});
	}

	/** PostgreSQL keeps microseconds: truncating here makes a created product equal to the one read back. */
	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
