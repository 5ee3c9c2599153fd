package io.scalarhub.product.domain;

/** The limits on a product's fields, in one place for create and patch alike. */
public final class ProductRules {

	public static final String SKU_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

	public static final int NAME_MAX = 200;

	public static final int DESCRIPTION_MAX = 2000;

	/** Minor units; as the ledger's bound, so that any price can be charged without overflow. */
	public static final long MAX_AMOUNT = 1_000_000_000_000_000L;

	private ProductRules() {
	}

}
