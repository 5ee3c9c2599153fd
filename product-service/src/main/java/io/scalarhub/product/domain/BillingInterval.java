package io.scalarhub.product.domain;

/** How often a product is charged: once, or every month or year (the recurring ones). */
public enum BillingInterval {

	ONE_TIME, MONTH, YEAR;

	public boolean isRecurring() {
		return this != ONE_TIME;
	}

}
