package io.scalarhub.customer.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.scalarhub.customer.domain.CustomerChanges;
import io.scalarhub.customer.domain.CustomerRules;
import io.scalarhub.platform.problem.ApiProblem;
import tools.jackson.databind.JsonNode;

/**
 * Reads a JSON merge patch (RFC 7396) of a customer. Only name, phone and metadata may change; every other
 * field is refused by name so that a client learns at once why its patch did nothing.
 */
final class CustomerMergePatch {

	private CustomerMergePatch() {
	}

	static CustomerChanges parse(JsonNode patch) {
		if (patch == null || !patch.isObject()) {
			throw ApiProblem.validation("body", "must be a JSON object (a JSON merge patch)");
		}
		List<ApiProblem.FieldError> errors = new ArrayList<>();
		Optional<String> name = Optional.empty();
		Optional<Optional<String>> phone = Optional.empty();
		Optional<Map<String, String>> metadataMerge = Optional.empty();
		boolean metadataCleared = false;
		for (Map.Entry<String, JsonNode> field : patch.properties()) {
			JsonNode value = field.getValue();
			switch (field.getKey()) {
				case "name" -> {
					if (value.isString() && !value.asString().isBlank()
							&& value.asString().length() <= CustomerRules.NAME_MAX) {
						name = Optional.of(value.asString());
					}
					else {
						errors.add(new ApiProblem.FieldError("name",
								"must be a non-blank string of at most " + CustomerRules.NAME_MAX + " characters"));
					}
				}
				case "phone" -> {
					if (value.isNull()) {
						phone = Optional.of(Optional.empty());
					}
					else if (value.isString() && CustomerRules.validPhone(value.asString())) {
						phone = Optional.of(Optional.of(value.asString()));
					}
					else {
						errors.add(new ApiProblem.FieldError("phone", "must be a phone number or null"));
					}
				}
				case "metadata" -> {
					if (value.isNull()) {
						metadataCleared = true;
					}
					else if (value.isObject()) {
						Map<String, String> merge = new HashMap<>();
						for (Map.Entry<String, JsonNode> entry : value.properties()) {
							if (entry.getValue().isNull() || entry.getValue().isString()) {
								merge.put(entry.getKey(), entry.getValue().isNull() ? null : entry.getValue().asString());
							}
							else {
								errors.add(new ApiProblem.FieldError("metadata." + entry.getKey(),
										"must be a string or null"));
							}
						}
						metadataMerge = Optional.of(merge);
					}
					else {
						errors.add(new ApiProblem.FieldError("metadata", "must be an object or null"));
					}
				}
				case "email", "id", "status", "createdAt", "updatedAt" ->
					errors.add(new ApiProblem.FieldError(field.getKey(), "cannot be changed"));
				default -> errors.add(new ApiProblem.FieldError(field.getKey(), "unknown field"));
			}
		}
		if (!errors.isEmpty()) {
			throw ApiProblem.validation(errors);
		}
		return new CustomerChanges(name, phone, metadataMerge, metadataCleared);
	}

}
