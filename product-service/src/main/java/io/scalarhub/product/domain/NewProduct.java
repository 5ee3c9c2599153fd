package io.scalarhub.product.domain;

import io.scalarhub.platform.money.Money;

/** What a client supplies to create a product, already checked for shape by the API layer. */
public record NewProduct(String sku, String name, String description, Money price, BillingInterval interval) {
}
