package io.scalarhub.customer.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.scalarhub.platform.problem.ApiProblem;

/** The limits on a customer's fields, in one place for create and patch alike. */
public final class CustomerRules {

	public static final int NAME_MAX = 200;

	public static final int EMAIL_MAX = 254;

	/** Digits with optional leading + and common separators: what people type, not a full E.164 check. */
	public static final String PHONE_PATTERN = "\\+?[0-9][0-9 ().-]{2,30}";

	public static final int METADATA_MAX_KEYS = 50;

	public static final int METADATA_KEY_MAX = 40;

	public static final int METADATA_VALUE_MAX = 500;

	private static final Pattern PHONE = Pattern.compile(PHONE_PATTERN);

	private CustomerRules() {
	}

	public static boolean validPhone(String phone) {
		return PHONE.matcher(phone).matches();
	}

	/**
	 * Checks metadata after any merge: at most {@value #METADATA_MAX_KEYS} keys of up to
	 * {@value #METADATA_KEY_MAX} characters, string values of up to {@value #METADATA_VALUE_MAX}.
	 */
	public static void checkMetadata(Map<String, String> metadata) {
		List<ApiProblem.FieldError> errors = new ArrayList<>();
		if (metadata.size() > METADATA_MAX_KEYS) {
			errors.add(new ApiProblem.FieldError("metadata", "must have at most " + METADATA_MAX_KEYS + " keys"));
		}
		metadata.forEach((key, value) -> {
			if (key.isEmpty() || key.length() > METADATA_KEY_MAX) {
				errors.add(new ApiProblem.FieldError("metadata",
						"keys must be 1 to " + METADATA_KEY_MAX + " characters long"));
			}
			if (value != null && value.length() > METADATA_VALUE_MAX) {
				errors.add(new ApiProblem.FieldError("metadata." + key,
						"must be at most " + METADATA_VALUE_MAX + " characters long"));
			}
		});
		if (!errors.isEmpty()) {
			throw ApiProblem.validation(errors.stream().distinct().toList());
		}
	}

}
