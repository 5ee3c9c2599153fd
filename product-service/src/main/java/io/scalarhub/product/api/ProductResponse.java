package io.scalarhub.product.api;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.platform.money.Money;
import io.scalarhub.product.domain.BillingInterval;
import io.scalarhub.product.domain.Product;

/** A product as the public API shows it. */
public record ProductResponse(UUID id, String sku, String name, String description, Money price,
		BillingInterval interval, boolean active, Instant createdAt, Instant updatedAt) {

	static ProductResponse of(Product product) {
		return new ProductResponse(product.id(), product.sku(), product.name(), product.description(),
				product.price(), product.interval(), product.active(), product.createdAt(), product.updatedAt());
	}

}
