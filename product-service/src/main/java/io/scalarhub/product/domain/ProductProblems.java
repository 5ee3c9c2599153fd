package io.scalarhub.product.domain;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;

/** The product-specific failures a client can branch on. */
final class ProductProblems {

	static final String SKU_TAKEN = ProblemTypes.BASE + "sku-taken";

	private ProductProblems() {
	}

	static ApiProblem skuTaken(String sku) {
		return ApiProblem.conflict(SKU_TAKEN, "A product with sku '" + sku + "' already exists.");
	}

	static ApiProblem notFound(Object id) {
		return ApiProblem.notFound("product", id);
	}

}
