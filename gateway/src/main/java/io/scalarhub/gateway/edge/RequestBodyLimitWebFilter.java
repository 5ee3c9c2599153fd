package io.scalarhub.gateway.edge;

import java.util.concurrent.atomic.AtomicLong;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Refuses request bodies over the limit with a 413 problem: at once when Content-Length says so, and while
 * streaming when a chunked body grows past it (the stock {@code RequestSize} filter trusts Content-Length
 * alone and answers 413 without a body). Runs before the token check: an oversize body costs nothing more.
 */
public class RequestBodyLimitWebFilter implements WebFilter, Ordered {

	/** Right after the request id is assigned, before security (-100). */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	private final long maxBytes;

	public RequestBodyLimitWebFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders headers = exchange.getRequest().getHeaders();
		long declared = headers.getContentLength();
		if (declared > this.maxBytes) {
			return Mono.error(tooLarge());
		}
		// Only a chunked body needs counting: with Content-Length the server reads no more than it announced, and
		// with neither header a request has no body in HTTP/1.1 (RFC 9112, 6.3; the gateway serves no HTTP/2).
		// Most GETs therefore go on as they came, not wrapped in decorators that every later filter reads through.
		if (declared >= 0 || !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return chain.filter(exchange);
		}
		AtomicLong seen = new AtomicLong();
		ServerHttpRequestDecorator counted = new ServerHttpRequestDecorator(exchange.getRequest()) {
			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody().doOnNext((buffer) -> {
					if (seen.addAndGet(buffer.readableByteCount()) > RequestBodyLimitWebFilter.this.maxBytes) {
						throw tooLarge();
					}
				});
			}
		};
		return chain.filter(exchange.mutate().request(counted).build());
	}

	private ApiProblem tooLarge() {
		return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large",
				"The request body is larger than the " + this.maxBytes + " bytes the API accepts.");
	}

}
