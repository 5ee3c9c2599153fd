package io.scalarhub.platform.paging;

import java.util.ArrayList;
import java.util.List;

import io.scalarhub.platform.problem.ApiProblem;
import reactor.core.publisher.Mono;

import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;

/** Reads {@link PageQuery} from the query string strictly, reporting every bad parameter at once. */
public class PageQueryArgumentResolver implements HandlerMethodArgumentResolver {

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return PageQuery.class.equals(parameter.getParameterType());
	}

	@Override
	public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
			ServerWebExchange exchange) {
		var params = exchange.getRequest().getQueryParams();
		List<ApiProblem.FieldError> errors = new ArrayList<>();
		int page = parse(params.get("page"), 0, 0, PageQuery.MAX_PAGE, "page", errors);
		int size = parse(params.get("size"), PageQuery.DEFAULT_SIZE, 1, PageQuery.MAX_SIZE, "size", errors);
		if (!errors.isEmpty()) {
			return Mono.error(ApiProblem.validation(errors));
		}
		return Mono.just(new PageQuery(page, size));
	}

	private static int parse(List<String> values, int defaultValue, int min, int max, String name,
			List<ApiProblem.FieldError> errors) {
		if (values == null || values.isEmpty()) {
			return defaultValue;
		}
		String message = "must be an integer from " + min + " to " + max;
		if (values.size() > 1) {
			errors.add(new ApiProblem.FieldError(name, "must be given once"));
			return defaultValue;
		}
		String raw = values.get(0);
		if (raw == null || !raw.matches("\\d{1,9}")) {
			errors.add(new ApiProblem.FieldError(name, message));
			return defaultValue;
		}
		int value = Integer.parseInt(raw);
		if (value < min || value > max) {
			errors.add(new ApiProblem.FieldError(name, message));
			return defaultValue;
		}
		return value;
	}

}
