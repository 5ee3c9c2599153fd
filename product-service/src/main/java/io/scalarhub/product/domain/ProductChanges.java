package io.scalarhub.product.domain;

import java.time.Instant;
import java.util.Optional;

import io.scalarhub.platform.money.Money;

/**
 * What a PATCH asks to change: an absent field is left alone; {@code description} set to null removes it.
 *
 * @param name the new name, if changed
 * @param description the new description if changed: empty inside means removed
 * @param price the new price, if changed
 * @param active whether the product can be sold from now on, if changed
 */
public record ProductChanges(Optional<String> name, Optional<Optional<String>> description, Optional<Money> price,
		Optional<Boolean> active) {

	public boolean isEmpty() {
		return this.name.isEmpty() && this.description.isEmpty() && this.price.isEmpty() && this.active.isEmpty();
	}

	public Product applyTo(Product product, Instant now) {
		return new Product(product.id(), product.sku(), this.name.orElse(product.name()),
				this.description.isPresent() ? this.description.get().orElse(null) : product.description(),
				this.price.orElse(product.price()), product.interval(), this.active.orElse(product.active()),
				product.version() + 1, product.createdAt(), now);
	}

}
