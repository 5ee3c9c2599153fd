package io.scalarhub.product.domain;

import java.time.Instant;
import java.util.UUID;

import io.scalarhub.platform.money.Money;

/**
 * A product of the catalogue. {@code version} grows by one with every change and is the resource's strong
 * ETag.
 */
public record Product(UUID id, String sku, String name, String description, Money price, BillingInterval interval,
		boolean active, long version, Instant createdAt, Instant updatedAt) {

	public String etag() {
		return "\"" + this.version + "\"";
	}

	public boolean recurring() {
		return this.interval.isRecurring();
	}

}
