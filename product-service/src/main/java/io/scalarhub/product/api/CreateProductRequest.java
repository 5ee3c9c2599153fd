package io.scalarhub.product.api;

import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.money.Money;
import io.scalarhub.product.domain.BillingInterval;
import io.scalarhub.product.domain.NewProduct;
import io.scalarhub.product.domain.ProductRules;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/products}. */
public record CreateProductRequest(
		@NotNull @Pattern(regexp = ProductRules.SKU_PATTERN,
				message = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit") String sku,
		@NotBlank @Size(max = ProductRules.NAME_MAX) String name,
		@Size(max = ProductRules.DESCRIPTION_MAX) String description, @NotNull @Valid PriceRequest price,
		@NotNull BillingInterval interval) {

	NewProduct toNewProduct() {
		return new NewProduct(this.sku, this.name, this.description, this.price.toMoney(), this.interval);
	}

	/** A price: a positive amount in minor units and an ISO 4217 currency. */
	public record PriceRequest(@NotNull @Positive @Max(ProductRules.MAX_AMOUNT) Long amount,
			@NotNull @Pattern(regexp = Currencies.PATTERN,
					message = "must be an ISO 4217 code in upper case") String currency) {

		Money toMoney() {
			return new Money(this.amount, this.currency);
		}

	}

}
