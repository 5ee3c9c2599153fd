package io.scalarhub.platform.problem;

import java.util.Map;

import io.scalarhub.platform.web.RequestCorrelation;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes an {@link ApiProblem} as {@code application/problem+json}. Shared by the exception handler and by
 * the security entry points, which answer before any controller runs.
 */
public class ProblemWriter {

	private final JsonMapper jsonMapper;

	public ProblemWriter(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	public Mono<Void> write(ServerWebExchange exchange, ApiProblem problem) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(problem.status());
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		for (Map.Entry<String, String> header : problem.headers().entrySet()) {
			response.getHeaders().set(header.getKey(), header.getValue());
		}
		Problem body = new Problem(problem.type(), problem.title(), problem.status().value(), problem.detail(),
				exchange.getRequest().getPath().value(), RequestCorrelation.requestId(exchange), problem.errors());
		byte[] bytes = this.jsonMapper.writeValueAsBytes(body);
		DataBuffer buffer = response.bufferFactory().wrap(bytes);
		return response.writeWith(Mono.just(buffer));
	}

}
