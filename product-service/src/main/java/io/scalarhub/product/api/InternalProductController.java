package io.scalarhub.product.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.platform.money.Money;
import io.scalarhub.product.domain.BillingInterval;
import io.scalarhub.product.domain.Product;
import io.scalarhub.product.domain.ProductCatalog;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** What other services ask product-service (never routed by the gateway). */
@RestController
class InternalProductController {

	private final ProductCatalog products;

	InternalProductController(ProductCatalog products) {
		this.products = products;
	}

	/**
	 * subscription-service asks this before subscribing and charging: is the product active, recurring, at
	 * what price? Read on the primary, never from a cache or a replica, and never cacheable. The fields are the
	 * public representation's, plus {@code recurring} (whether {@code interval} is not ONE_TIME). Scoped like
	 * the public API: to the tenant the calling service names for the request it serves (the caller's token's
	 * own tenant, for a client), so another tenant's product is a 404 here too.
	 */
	@GetMapping(path = "/internal/products/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<InternalProductView> product(@PathVariable UUID id) {
		return this.products.getFromPrimary(id).map(InternalProductView::of);
	}

	record InternalProductView(UUID id, String sku, String name, String description, Money price,
			BillingInterval interval, boolean recurring, boolean active, long version, Instant createdAt,
			Instant updatedAt) {

		static InternalProductView of(Product product) {
			return new InternalProductView(product.id(), product.sku(), product.name(), product.description(),
					product.price(), product.interval(), product.recurring(), product.active(), product.version(),
					product.createdAt(), product.updatedAt());
		}

	}

}
