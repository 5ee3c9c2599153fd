package io.scalarhub.product.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.money.Money;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.product.domain.ProductChanges;
import io.scalarhub.product.domain.ProductRules;
import tools.jackson.databind.JsonNode;

/**
 * Reads a PATCH of a product (a JSON merge patch, RFC 7396). Only name, description, price and active may
 * change; a price is replaced as a whole. Every other field is refused by name, so that a client learns at
 * once why its patch did nothing.
 */
final class ProductPatch {

	private ProductPatch() {
	}

	static ProductChanges parse(JsonNode patch) {
		if (patch == null || !patch.isObject()) {
			throw ApiProblem.validation("body", "must be a JSON object (a JSON merge patch)");
		}
		List<ApiProblem.FieldError> errors = new ArrayList<>();
		Optional<String> name = Optional.empty();
		Optional<Optional<String>> description = Optional.empty();
		Optional<Money> price = Optional.empty();
		Optional<Boolean> active = Optional.empty();
		for (Map.Entry<String, JsonNode> field : patch.properties()) {
			JsonNode value = field.getValue();
			switch (field.getKey()) {
				case "name" -> {
					if (value.isString() && !value.asString().isBlank()
							&& value.asString().length() <= ProductRules.NAME_MAX) {
						name = Optional.of(value.asString());
					}
					else {
						errors.add(new ApiProblem.FieldError("name",
								"must be a non-blank string of at most " + ProductRules.NAME_MAX + " characters"));
					}
				}
				case "description" -> {
					if (value.isNull()) {
						description = Optional.of(Optional.empty());
					}
					else if (value.isString() && value.asString().length() <= ProductRules.DESCRIPTION_MAX) {
						description = Optional.of(Optional.of(value.asString()));
					}
					else {
						errors.add(new ApiProblem.FieldError("description",
								"must be a string of at most " + ProductRules.DESCRIPTION_MAX + " characters, or null"));
					}
				}
				case "price" -> price = parsePrice(value, errors);
				case "active" -> {
					if (value.isBoolean()) {
						active = Optional.of(value.asBoolean());
					}
					else {
						errors.add(new ApiProblem.FieldError("active", "must be true or false"));
					}
				}
				case "sku", "interval", "id", "createdAt", "updatedAt" ->
					errors.add(new ApiProblem.FieldError(field.getKey(), "cannot be changed"));
				default -> errors.add(new ApiProblem.FieldError(field.getKey(), "unknown field"));
			}
		}
		if (!errors.isEmpty()) {
			throw ApiProblem.validation(errors);
		}
		return new ProductChanges(name, description, price, active);
	}

	private static Optional<Money> parsePrice(JsonNode value, List<ApiProblem.FieldError> errors) {
		if (!value.isObject()) {
			errors.add(new ApiProblem.FieldError("price", "must be an object {amount, currency}"));
			return Optional.empty();
		}
		int before = errors.size();
		JsonNode amount = value.get("amount");
		JsonNode currency = value.get("currency");
		for (Map.Entry<String, JsonNode> field : value.properties()) {
			if (!field.getKey().equals("amount") && !field.getKey().equals("currency")) {
				errors.add(new ApiProblem.FieldError("price." + field.getKey(), "unknown field"));
			}
		}
		if (amount == null || !amount.isIntegralNumber() || !amount.canConvertToLong() || amount.asLong() <= 0
				|| amount.asLong() > ProductRules.MAX_AMOUNT) {
			errors.add(new ApiProblem.FieldError("price.amount",
					"must be a positive integer (minor units) of at most " + ProductRules.MAX_AMOUNT));
		}
		if (currency == null || !currency.isString() || !Currencies.isIso4217(currency.asString())) {
			errors.add(new ApiProblem.FieldError("price.currency", "must be an ISO 4217 code in upper case"));
		}
		return (errors.size() == before) ? Optional.of(new Money(amount.asLong(), currency.asString()))
				: Optional.empty();
	}

}
