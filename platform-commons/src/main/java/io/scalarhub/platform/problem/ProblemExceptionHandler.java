package io.scalarhub.platform.problem;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import io.scalarhub.platform.web.RequestCorrelation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.validation.ObjectError;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerErrorException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.handler.ExceptionHandlingWebHandler;

/**
 * The one place where any exception becomes a response: RFC 9457 problem details, never a stack trace,
 * class name or SQL. It sits before Boot's default error handler, so it also covers failures outside
 * controllers (routing, decoding, the gateway's own errors).
 */
public class ProblemExceptionHandler implements WebExceptionHandler, Ordered {

	/** Before Boot's {@code DefaultErrorWebExceptionHandler} (-1). */
	public static final int ORDER = -2;

	private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

	private final ProblemWriter writer;

	private final List<ProblemMapper> mappers;

	public ProblemExceptionHandler(ProblemWriter writer, List<ProblemMapper> mappers) {
		this.writer = writer;
		this.mappers = List.copyOf(mappers);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(error);
		}
		ApiProblem problem = toProblem(error);
		if (problem.status() == HttpStatus.INTERNAL_SERVER_ERROR) {
			log.error("{} {} failed [requestId={}]", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
					RequestCorrelation.requestId(exchange), error);
		}
		else if (problem.status().is5xxServerError()) {
			// an outage of something behind us: expected, and its cause is enough to act on
			log.warn("{} {} answered {}: {} [requestId={}]", exchange.getRequest().getMethod(),
					exchange.getRequest().getPath(), problem.status().value(), error.toString(),
					RequestCorrelation.requestId(exchange));
		}
		else {
			// The client's mistake, not this server's error: the request's observation must not record it.
			// WebFlux hands the handled exception to the request's observation through this attribute; left
			// there, every 4xx would be a span in error carrying the exception with its whole stack trace
			// (tens of KB for a reactive stack), kept in memory until exported: a client sending bad input
			// fast could fill the heap with them. OpenTelemetry's conventions leave a server's 4xx unset too.
			exchange.getAttributes().remove(ExceptionHandlingWebHandler.HANDLED_WEB_EXCEPTION);
		}
		if (error instanceof MethodNotAllowedException notAllowed) {
			exchange.getResponse().getHeaders().setAllow(notAllowed.getSupportedMethods());
		}
		exchange.getResponse().getHeaders().remove("Content-Length");
		return this.writer.write(exchange, problem);
	}

	ApiProblem toProblem(Throwable error) {
		if (error instanceof ApiProblem problem) {
			return problem;
		}
		for (ProblemMapper mapper : this.mappers) {
			Optional<ApiProblem> mapped = mapper.map(error);
			if (mapped.isPresent()) {
				return mapped.get();
			}
		}
		if (error instanceof WebExchangeBindException binding) {
			return ApiProblem.validation(fieldErrors(binding));
		}
		if (Causes.find(error, DataBufferLimitException.class) != null) {
			return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large",
					"The request body is larger than this endpoint accepts.");
		}
		if (error instanceof ServerWebInputException input) {
			return inputProblem(input);
		}
		ApiProblem blankPathVariable = blankPathVariable(error);
		if (blankPathVariable != null) {
			return blankPathVariable;
		}
		if (error instanceof ResponseStatusException status) {
			return statusProblem(status.getStatusCode());
		}
		if (Causes.find(error, ConnectException.class) != null) {
			return ApiProblem.unavailable("A service behind this endpoint is unavailable; retry shortly.", 1);
		}
		if (Causes.find(error, TimeoutException.class) != null) {
			return new ApiProblem(HttpStatus.GATEWAY_TIMEOUT, ProblemTypes.TIMEOUT, "Upstream timeout",
					"A service behind this endpoint did not answer in time; the request may be retried.", List.of(),
					Map.of("Retry-After", "1"));
		}
		return new ApiProblem(HttpStatus.INTERNAL_SERVER_ERROR, ProblemTypes.INTERNAL, "Internal error",
				"The request failed unexpectedly. Quote the request id to support.");
	}

	private static List<ApiProblem.FieldError> fieldErrors(WebExchangeBindException binding) {
		List<ApiProblem.FieldError> errors = new ArrayList<>();
		binding.getFieldErrors().forEach((fieldError) -> errors
			.add(new ApiProblem.FieldError(fieldError.getField(), String.valueOf(fieldError.getDefaultMessage()))));
		for (ObjectError global : binding.getGlobalErrors()) {
			errors.add(new ApiProblem.FieldError(global.getObjectName(), String.valueOf(global.getDefaultMessage())));
		}
		return errors;
	}

	/** Input that could not be read: the messages say what is wrong in the client's terms, never Jackson's. */
	private static ApiProblem inputProblem(ServerWebInputException input) {
		UnrecognizedPropertyException unknown = Causes.find(input, UnrecognizedPropertyException.class);
		if (unknown != null) {
			return ApiProblem.validation(jsonPath(unknown), "unknown field");
		}
		MismatchedInputException mismatched = Causes.find(input, MismatchedInputException.class);
		if (mismatched != null) {
			String path = jsonPath(mismatched);
			return path.isEmpty() ? malformed("The request body does not have the expected shape.")
					: ApiProblem.validation(path, "has an invalid value or type");
		}
		if (Causes.find(input, java.nio.charset.CharacterCodingException.class) != null) {
			return malformed("The request body is not valid UTF-8.");
		}
		if (Causes.find(input, StreamReadException.class) != null) {
			return malformed("The request body is not valid JSON.");
		}
		JacksonException jackson = Causes.find(input, JacksonException.class);
		if (jackson != null) {
			String path = jsonPath(jackson);
			return path.isEmpty() ? malformed("The request body could not be read.")
					: ApiProblem.validation(path, "has an invalid value");
		}
		TypeMismatchException mismatch = Causes.find(input, TypeMismatchException.class);
		if (mismatch != null) {
			String name = Optional.ofNullable(input.getMethodParameter())
				.map((parameter) -> parameter.getParameterName())
				.orElse(mismatch.getPropertyName());
			String expected = UUID.class.equals(mismatch.getRequiredType()) ? "must be a UUID" : "has an invalid value";
			return ApiProblem.validation(name != null ? name : "parameter", expected);
		}
		if (input instanceof MissingRequestValueException missing) {
			return ApiProblem.validation(missing.getName(), "is required");
		}
		if (input.getMethodParameter() != null && input.getReason() != null
				&& input.getReason().contains("request body")) {
			return malformed("A request body is required.");
		}
		return malformed("The request could not be read.");
	}

	/**
	 * WebFlux reports a path variable that converted to null (an id of only blanks, {@code /v1/customers/%20})
	 * as a missing one, a 500 meant for a handler whose template lacks the variable. The route matched, so the
	 * segment was there: it is the client's bad value.
	 */
	private static ApiProblem blankPathVariable(Throwable error) {
		if (error instanceof ServerErrorException serverError && serverError.getMethodParameter() != null
				&& serverError.getMethodParameter().hasParameterAnnotation(PathVariable.class)) {
			MethodParameter parameter = serverError.getMethodParameter();
			PathVariable annotation = parameter.getParameterAnnotation(PathVariable.class);
			String name = !annotation.name().isEmpty() ? annotation.name()
					: Optional.ofNullable(parameter.getParameterName()).orElse("path");
			return ApiProblem.validation(name,
					UUID.class.equals(parameter.getParameterType()) ? "must be a UUID" : "has an invalid value");
		}
		return null;
	}

	private static ApiProblem malformed(String detail) {
		return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED, "Malformed request", detail);
	}

	private static ApiProblem statusProblem(HttpStatusCode code) {
		HttpStatus status = HttpStatus.resolve(code.value());
		if (status == null) {
			status = code.is4xxClientError() ? HttpStatus.BAD_REQUEST : HttpStatus.INTERNAL_SERVER_ERROR;
		}
		return switch (status) {
			case NOT_FOUND -> new ApiProblem(status, ProblemTypes.NOT_FOUND, "Not found", "No resource at this path.");
			case METHOD_NOT_ALLOWED -> new ApiProblem(status, ProblemTypes.METHOD_NOT_ALLOWED, "Method not allowed",
					"This resource does not support the request's method.");
			case UNSUPPORTED_MEDIA_TYPE -> new ApiProblem(status, ProblemTypes.UNSUPPORTED_MEDIA_TYPE,
					"Unsupported media type", "Send the body as application/json.");
			case NOT_ACCEPTABLE -> new ApiProblem(status, ProblemTypes.NOT_ACCEPTABLE, "Not acceptable",
					"This resource answers application/json.");
			case CONTENT_TOO_LARGE -> new ApiProblem(status, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large",
					"The request body is larger than this endpoint accepts.");
			case SERVICE_UNAVAILABLE, BAD_GATEWAY -> new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE,
					ProblemTypes.UNAVAILABLE, "Service unavailable",
					"A service behind this endpoint is unavailable; retry later.", List.of(),
					Map.of("Retry-After", "1"));
			case GATEWAY_TIMEOUT -> new ApiProblem(status, ProblemTypes.TIMEOUT, "Upstream timeout",
					"A service behind this endpoint did not answer in time; the request may be retried.", List.of(),
					Map.of("Retry-After", "1"));
			default -> new ApiProblem(status, ProblemTypes.ABOUT_BLANK, status.getReasonPhrase(),
					status.is5xxServerError() ? "The request failed. Quote the request id to support."
							: "The request was refused: " + status.getReasonPhrase().toLowerCase() + ".");
		};
	}

	/** The JSON path of the offending value, as the client wrote it: {@code metadata.plan} or {@code items[2]}. */
	static String jsonPath(JacksonException error) {
		return error.getPath().stream().map((reference) -> {
			if (reference.getPropertyName() != null) {
				return "." + reference.getPropertyName();
			}
			return reference.getIndex() >= 0 ? "[" + reference.getIndex() + "]" : "";
		}).collect(Collectors.joining()).replaceFirst("^\\.", "");
	}

}
