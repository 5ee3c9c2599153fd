package io.scalarhub.platform.problem;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The RFC 9457 body every error response carries, in the field order of the public contract. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, String requestId,
		List<ApiProblem.FieldError> errors) {
}
