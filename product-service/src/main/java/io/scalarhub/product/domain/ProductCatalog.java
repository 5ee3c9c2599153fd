package io.scalarhub.product.domain;

import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.tenancy.TenantScope;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.stereotype.Component;

/**
 * What the API asks of the catalogue. Hot reads (a product by id, a list page) are cache-aside in an
 * in-process Caffeine cache with a short time to live; every write evicts the product and its tenant's list
 * pages once its transaction has committed (the {@link ProductService} call has completed).
 *
 * <p>
 * Why in-process and not Redis: a read served from memory costs no network hop and has no failure mode of
 * its own (Redis down would need a timeout and a fallback on every read); the price is that another instance
 * keeps serving its copy until the entry expires, so a write is visible everywhere after at most
 * {@code scalarhub.products.cache.time-to-live} (5 s) plus the read replica's lag. The public reads already
 * say {@code Cache-Control: public, max-age=60}, so clients and the gateway accept far more than that.
 * Reads that a write flow depends on ({@link #getFromPrimary}) never use the cache.
 *
 * <p>
 * Entries are per tenant: a product or page is cached under the tenant of the request that read it and
 * served to that tenant's requests only, so another tenant asking for the same id gets what the database
 * gives it (404), never the cached copy. Work without a tenant (none reaches here today) bypasses the cache.
 */
@Component
public class ProductCatalog {

	private final ProductService products;

	private final Cache<ProductKey, Product> byId;

	private final Cache<ListKey, PageResponse<Product>> pages;

	public ProductCatalog(ProductService products, ProductCacheProperties properties, MeterRegistry meters) {
		this.products = products;
		this.byId = Caffeine.newBuilder()
			.expireAfterWrite(properties.timeToLive())
			.maximumSize(properties.maximumSize())
			.recordStats()
			.build();
		this.pages = Caffeine.newBuilder()
			.expireAfterWrite(properties.timeToLive())
			.maximumSize(properties.maximumSize())
			.recordStats()
			.build();
		CaffeineCacheMetrics.monitor(meters, this.byId, "products.by-id");
		CaffeineCacheMetrics.monitor(meters, this.pages, "products.pages");
	}

	public Mono<Product> create(NewProduct product) {
		// a new product changes every list page of its tenant it could appear on
		return Mono.deferContextual((context) -> this.products.create(product)
			.doOnSuccess((created) -> evictPages(tenant(context))));
	}

	public Mono<Product> update(UUID id, String ifMatch, ProductChanges changes) {
		return Mono.deferContextual((context) -> this.products.update(id, ifMatch, changes)
			.doOnSuccess((updated) -> evict(tenant(context), id)));
	}

	public Mono<Product> get(UUID id) {
		return Mono.deferContextual((context) -> {
			UUID tenant = tenant(context);
			if (tenant == null) {
				return this.products.get(id);
			}
			ProductKey key = new ProductKey(tenant, id);
			Product cached = this.byId.getIfPresent(key);
			if (cached != null) {
				return Mono.just(cached);
			}
			return this.products.get(id).doOnNext((product) -> this.byId.put(key, product));
		});
	}

	public Mono<PageResponse<Product>> list(Boolean active, PageQuery page) {
		return Mono.deferContextual((context) -> {
			UUID tenant = tenant(context);
			if (tenant == null) {
				return this.products.list(active, page);
			}
			ListKey key = new ListKey(tenant, active, page.page(), page.size());
			PageResponse<Product> cached = this.pages.getIfPresent(key);
			if (cached != null) {
				return Mono.just(cached);
			}
			return this.products.list(active, page).doOnNext((result) -> this.pages.put(key, result));
		});
	}

	/** For another service's write flow: always the primary, never a cached or replicated copy. */
	public Mono<Product> getFromPrimary(UUID id) {
		return this.products.getFromPrimary(id);
	}

	private void evict(UUID tenant, UUID id) {
		if (tenant != null) {
			this.byId.invalidate(new ProductKey(tenant, id));
		}
		evictPages(tenant);
	}

	private void evictPages(UUID tenant) {
		if (tenant == null) {
			this.pages.invalidateAll();
			return;
		}
		this.pages.asMap().keySet().removeIf((key) -> key.tenant().equals(tenant));
	}

	/** The request's tenant; {@code null} without one (or in the system scope), when nothing is cached. */
	private static UUID tenant(ContextView context) {
		return TenantScope.in(context).map(TenantScope::tenant).orElse(null);
	}

	private record ProductKey(UUID tenant, UUID id) {
	}

	private record ListKey(UUID tenant, Boolean active, int page, int size) {
	}

}
