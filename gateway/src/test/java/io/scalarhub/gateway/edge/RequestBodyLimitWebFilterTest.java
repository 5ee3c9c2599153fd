package io.scalarhub.gateway.edge;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import io.scalarhub.platform.problem.ApiProblem;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The limit in each of the three shapes a request's length can take in HTTP/1.1; the end-to-end cases (a 413
 * problem at the client) are in {@code GatewayTest}.
 */
class RequestBodyLimitWebFilterTest {

	private final RequestBodyLimitWebFilter filter = new RequestBodyLimitWebFilter(16);

	/** What the rest of the chain is given, reading the whole body as a route would. */
	private final AtomicReference<ServerWebExchange> passedOn = new AtomicReference<>();

	private final WebFilterChain route = (exchange) -> {
		this.passedOn.set(exchange);
		return DataBufferUtils.join(exchange.getRequest().getBody()).doOnNext(DataBufferUtils::release).then();
	};

	@Test
	void aRequestWithoutBodyGoesOnAsItCameNotWrapped() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/v1/customers/42"));
		this.filter.filter(exchange, this.route).block();
		assertThat(this.passedOn.get()).isSameAs(exchange);
	}

	@Test
	void aDeclaredLengthOverTheLimitIsRefusedBeforeAnythingIsRead() {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.post("/v1/customers").contentLength(17).body("x".repeat(17)));
		isPayloadTooLarge(catchThrowable(() -> this.filter.filter(exchange, this.route).block()));
		assertThat(this.passedOn.get()).isNull();
	}

	@Test
	void aChunkedBodyIsCountedWhileItStreamsAndRefusedOnceItPassesTheLimit() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/customers")
			.header(HttpHeaders.TRANSFER_ENCODING, "chunked")
			.body(Flux.just("0123456789", "0123456789").map(this::buffer)));
		isPayloadTooLarge(catchThrowable(() -> this.filter.filter(exchange, this.route).block()));
		assertThat(this.passedOn.get()).isNotSameAs(exchange);
	}

	@Test
	void aChunkedBodyWithinTheLimitPassesWhole() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/customers")
			.header(HttpHeaders.TRANSFER_ENCODING, "chunked")
			.body(Flux.just("01234567", "01234567").map(this::buffer)));
		this.filter.filter(exchange, this.route).block();
		assertThat(this.passedOn.get()).isNotNull();
	}

	private DataBuffer buffer(String text) {
		return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private void isPayloadTooLarge(Throwable error) {
		assertThat(error).isInstanceOfSatisfying(ApiProblem.class,
				(problem) -> assertThat(problem.status()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE));
	}

}
