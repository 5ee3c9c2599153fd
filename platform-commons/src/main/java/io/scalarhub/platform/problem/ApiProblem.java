package io.scalarhub.platform.problem;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * A failure meant for the API client, with everything needed to render it as an RFC 9457 problem.
 * Domain code throws it; {@link ProblemExceptionHandler} renders it. Its detail is written for the
 * client, so it must never carry internal names, SQL or stack traces.
 */
public class ApiProblem extends RuntimeException {

	private final HttpStatus status;

	private final String type;

	private final String title;

	private final List<FieldError> errors;

	private final Map<String, String> headers;

	public ApiProblem(HttpStatus status, String type, String title, String detail, List<FieldError> errors,
			Map<String, String> headers) {
		super(detail, null, false, false);
		this.status = status;
		this.type = type;
		this.title = title;
		this.errors = List.copyOf(errors);
		this.headers = Map.copyOf(headers);
	}

	public ApiProblem(HttpStatus status, String type, String title, String detail) {
		this(status, type, title, detail, List.of(), Map.of());
	}

	public static ApiProblem validation(List<FieldError> errors) {
		return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.VALIDATION, "Invalid request",
				"The request has invalid fields.", errors, Map.of());
	}

	public static ApiProblem validation(String field, String message) {
		return validation(List.of(new FieldError(field, message)));
	}

	public static ApiProblem notFound(String resource, Object id) {
		return new ApiProblem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found",
				"No " + resource + " with id " + id + ".");
	}

	public static ApiProblem conflict(String type, String detail) {
		return new ApiProblem(HttpStatus.CONFLICT, type, "Conflict", detail);
	}

	public static ApiProblem preconditionFailed(String detail) {
		return new ApiProblem(HttpStatus.PRECONDITION_FAILED, ProblemTypes.PRECONDITION_FAILED,
				"Precondition failed", detail);
	}

	public static ApiProblem unavailable(String detail, int retryAfterSeconds) {
		return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, "Service unavailable", detail,
				List.of(), Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
	}

	public HttpStatus status() {
		return this.status;
	}

	public String type() {
		return this.type;
	}

	public String title() {
		return this.title;
	}

	public String detail() {
		return getMessage();
	}

	public List<FieldError> errors() {
		return this.errors;
	}

	public Map<String, String> headers() {
		return this.headers;
	}

	/** One invalid field of a request: {@code field} is a JSON path such as {@code metadata.plan}. */
	public record FieldError(String field, String message) {
	}

}
