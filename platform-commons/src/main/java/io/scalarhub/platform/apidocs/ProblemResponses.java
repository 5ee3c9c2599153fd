package io.scalarhub.platform.apidocs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.method.HandlerMethod;

/**
 * The error responses every operation can produce, derived from the handler's signature so that no controller
 * has to repeat them: what the platform answers anywhere (400, 401, 403, 429 at the gateway, 503), 404 where a
 * path names a resource, 412 (and 428 where it is required) where {@code If-Match} is taken, 413/415 where a
 * body is read, and the {@code Idempotency-Key} contract where the key is taken. Controllers declare only
 * their own outcomes (a 409 {@code email-taken}, say); every 4xx/5xx response, theirs too, is then rendered
 * as {@code application/problem+json} with the shared {@value #PROBLEM_SCHEMA} schema, as
 * {@link io.scalarhub.platform.problem.ProblemWriter} writes it.
 */
final class ProblemResponses {

	static final String PROBLEM_SCHEMA = "Problem";

	static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private static final String TYPES = "https://scalarhub.io/problems/";

	private ProblemResponses() {
	}

	/** The body of every error response, field by field as the platform writes it (docs/api.md, Errors). */
	static void addProblemSchema(OpenAPI openApi) {
		if (openApi.getComponents() == null) {
			openApi.components(new Components());
		}
		Schema<?> fieldError = new ObjectSchema().description("One invalid field of the request.")
			.addProperty("field", new StringSchema().description("its JSON path, such as metadata.plan or page"))
			.addProperty("message", new StringSchema().description("what is wrong with it"));
		fieldError.required(List.of("field", "message"));
		Schema<?> problem = new ObjectSchema()
			.description("An RFC 9457 problem detail. Branch on type; the other members are for people.")
			.addProperty("type", new StringSchema().format("uri")
				.description("identifies the kind of failure: " + TYPES + "<name> (docs/api.md, Errors)"))
			.addProperty("title", new StringSchema().description("a short summary of the type"))
			.addProperty("status", new IntegerSchema().description("the HTTP status code"))
			.addProperty("detail", new StringSchema().description("what went wrong with this request"))
			.addProperty("instance", new StringSchema().description("the request's path"))
			.addProperty("requestId", new StringSchema().description("the request's X-Request-Id; quote it to support"))
			.addProperty("errors", new ArraySchema().items(new Schema<>().$ref(schemaRef("FieldError")))
				.description("for validation-error: each invalid field"));
		problem.required(List.of("type", "title", "status"));
		openApi.getComponents().addSchemas("FieldError", fieldError).addSchemas(PROBLEM_SCHEMA, problem);
	}

	private static String schemaRef(String name) {
		return "#/components/schemas/" + name;
	}

	static Operation customize(Operation operation, HandlerMethod handler) {
		boolean pathVariable = false;
		boolean body = false;
		RequestHeader ifMatch = null;
		RequestHeader idempotencyKey = null;
		for (MethodParameter parameter : handler.getMethodParameters()) {
			pathVariable |= parameter.hasParameterAnnotation(PathVariable.class);
			body |= parameter.hasParameterAnnotation(RequestBody.class);
			RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
			if (header != null && HttpHeaders.IF_MATCH.equalsIgnoreCase(headerName(header))) {
				ifMatch = header;
			}
			if (header != null && IdempotentExecutor.KEY_HEADER.equalsIgnoreCase(headerName(header))) {
				idempotencyKey = header;
			}
		}
		ApiResponses responses = (operation.getResponses() != null) ? operation.getResponses() : new ApiResponses();
		add(responses, 400, "`validation-error` (errors[] names each invalid field or parameter) or "
				+ "`malformed-request` (the body is not JSON, or not of the expected shape)");
		add(responses, 401, "`unauthorized`: no token, or one that is invalid, expired or not for this API");
		add(responses, 403, "`forbidden`: the token lacks this operation's scope; `tenant-required`: it names no tenant");
		if (pathVariable) {
			add(responses, 404, "`not-found`: no such resource in your tenant");
		}
		if (ifMatch != null) {
			add(responses, 412, "`precondition-failed`: If-Match does not name the current ETag");
			if (ifMatch.required()) {
				add(responses, 428, "`precondition-required`: send If-Match with the current ETag");
			}
		}
		if (body) {
			add(responses, 413, "`payload-too-large`: the body is over the limit");
			add(responses, 415, "`unsupported-media-type`: send the body as one of the media types listed");
		}
		if (idempotencyKey != null) {
			requireIdempotencyKey(operation);
			add(responses, 409, "`idempotency-key-in-use`: the key's first request is still running; retry shortly");
			add(responses, 422, "`idempotency-key-reused`: the key was used for a different request");
			responses.forEach((status, response) -> {
				if (status.startsWith("2")) {
					response.addHeaderObject(IdempotentExecutor.REPLAYED_HEADER, new Header()
						.description("`true` when this is the remembered response of an earlier request with the same key")
						.schema(new StringSchema()._enum(List.of("true"))));
				}
			});
		}
		add(responses, 429, "`rate-limited` (at the gateway): the client used its rate limit; retry after Retry-After");
		add(responses, 503, "`service-unavailable`: a service or database behind the endpoint is down; nothing was "
				+ "done, retry after Retry-After");
		responses.forEach((status, response) -> {
			if (isError(status)) {
				response.content(new Content().addMediaType(PROBLEM_JSON,
						new MediaType().schema(new Schema<>().$ref(schemaRef(PROBLEM_SCHEMA)))));
			}
		});
		// a header a controller declared by name only is a string (ETag, Location, ...), not an untyped value
		responses.values().stream()
			.filter((response) -> response.getHeaders() != null)
			.flatMap((response) -> response.getHeaders().values().stream())
			.filter((header) -> header.getSchema() == null && header.get$ref() == null)
			.forEach((header) -> header.schema(new StringSchema()));
		retryAfter(responses.get("429"));
		retryAfter(responses.get("503"));
		operation.responses(sorted(responses));
		return operation;
	}

	/**
	 * The handler takes the key optionally only so that {@link IdempotentExecutor} (not request binding) answers
	 * a missing one, with the contract's 400 naming the header; the executor requires it.
	 */
	private static void requireIdempotencyKey(Operation operation) {
		Optional<Parameter> documented = Optional.ofNullable(operation.getParameters())
			.flatMap((parameters) -> parameters.stream()
				.filter((parameter) -> "header".equals(parameter.getIn())
						&& IdempotentExecutor.KEY_HEADER.equalsIgnoreCase(parameter.getName()))
				.findFirst());
		Parameter key = documented.orElseGet(() -> {
			Parameter header = new HeaderParameter().name(IdempotentExecutor.KEY_HEADER);
			operation.addParametersItem(header);
			return header;
		});
		key.required(true)
			.description("1 to 255 printable ASCII characters (a UUID is a good choice), new for each new request; "
					+ "the same key with the same body within 24 h replays the first response. Missing: 400.")
			.schema(new StringSchema().minLength(1).maxLength(255).pattern("^[\\x21-\\x7E]{1,255}$"));
	}

	/** Adds the platform's meaning of a status, after what the controller declared for it if it did. */
	private static void add(ApiResponses responses, int status, String description) {
		ApiResponse declared = responses.get(Integer.toString(status));
		if (declared == null) {
			responses.addApiResponse(Integer.toString(status), new ApiResponse().description(description));
		}
		else if (declared.getDescription() == null || declared.getDescription().isBlank()) {
			declared.description(description);
		}
		else if (!declared.getDescription().contains(description)) {
			declared.description(declared.getDescription() + "; " + description);
		}
	}

	private static void retryAfter(ApiResponse response) {
		if (response != null) {
			response.addHeaderObject(HttpHeaders.RETRY_AFTER,
					new Header().description("seconds until a retry may succeed").schema(new IntegerSchema()));
		}
	}

	private static boolean isError(String status) {
		return status.startsWith("4") || status.startsWith("5");
	}

	/** Responses in status order, as a reader (and a diff of the document) expects them. */
	private static ApiResponses sorted(ApiResponses responses) {
		List<Map.Entry<String, ApiResponse>> entries = new ArrayList<>(responses.entrySet());
		entries.sort(Comparator.comparing(Map.Entry::getKey));
		ApiResponses ordered = new ApiResponses();
		entries.forEach((entry) -> ordered.addApiResponse(entry.getKey(), entry.getValue()));
		ordered.setExtensions(responses.getExtensions());
		return ordered;
	}

	private static String headerName(RequestHeader header) {
		return header.name().isEmpty() ? header.value() : header.name();
	}

}
