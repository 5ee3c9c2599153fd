package io.scalarhub.gateway.resilience;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.event.EnableBodyCachingEvent;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The body cache on a route that retries: a request without a body goes on as it came; one with a body, declared or
 * chunked, goes on with a body that every attempt reads whole. The retries themselves, over real HTTP, are in
 * {@code DownstreamResilienceTest}.
 */
class ReplayableBodyGlobalFilterTest {

	private final ReplayableBodyGlobalFilter filter = new ReplayableBodyGlobalFilter();

	private final Route route = Route.async().id("retried").uri("http://127.0.0.1:1").predicate((exchange) -> true).build();

	/** What the rest of the chain is given. */
	private final AtomicReference<ServerWebExchange> passedOn = new AtomicReference<>();

	private final GatewayFilterChain chain = (exchange) -> {
		this.passedOn.set(exchange);
		return Mono.empty();
	};

	@BeforeEach
	void theRouteRetries() {
		this.filter.onApplicationEvent(new EnableBodyCachingEvent(this, this.route.getId()));
	}

	@Test
	void aRequestWithoutBodyGoesOnAsItCame() {
		MockServerWebExchange exchange = onTheRoute(MockServerHttpRequest.get("/v1/customers/42").build());
		this.filter.filter(exchange, this.chain).block();
		assertThat(this.passedOn.get()).isSameAs(exchange);
		assertThat(exchange.getAttributes()).doesNotContainKey(ServerWebExchangeUtils.CACHED_REQUEST_BODY_ATTR);
	}

	@Test
	void aDeclaredBodyIsReadWholeByEveryAttempt() {
		MockServerWebExchange exchange = onTheRoute(
				MockServerHttpRequest.post("/v1/transactions").contentLength(9).body(once("{\"n\":42}\n")));
		this.filter.filter(exchange, this.chain).block();
		assertThat(read(this.passedOn.get())).isEqualTo("{\"n\":42}\n");
		assertThat(read(this.passedOn.get())).as("a second attempt").isEqualTo("{\"n\":42}\n");
	}

	@Test
	void aChunkedBodyIsReadWholeByEveryAttempt() {
		MockServerWebExchange exchange = onTheRoute(MockServerHttpRequest.post("/v1/transactions")
			.header(HttpHeaders.TRANSFER_ENCODING, "chunked")
			.body(once("{\"n\":", "42}")));
		this.filter.filter(exchange, this.chain).block();
		assertThat(read(this.passedOn.get())).isEqualTo("{\"n\":42}");
		assertThat(read(this.passedOn.get())).as("a second attempt").isEqualTo("{\"n\":42}");
	}

	private MockServerWebExchange onTheRoute(MockServerHttpRequest request) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, this.route);
		return exchange;
	}

	private static String read(ServerWebExchange exchange) {
		return DataBufferUtils.join(exchange.getRequest().getBody()).map((buffer) -> {
			String text = buffer.toString(StandardCharsets.UTF_8);
			DataBufferUtils.release(buffer);
			return text;
		}).block();
	}

	/** A body that can be read once, as the server's connection gives it: a second subscriber gets an error. */
	private static Flux<DataBuffer> once(String... chunks) {
		AtomicBoolean read = new AtomicBoolean();
		return Flux.defer(() -> read.compareAndSet(false, true)
				? Flux.just(chunks).map((chunk) -> DefaultDataBufferFactory.sharedInstance.wrap(chunk.getBytes(StandardCharsets.UTF_8)))
				: Flux.error(new IllegalStateException("the body was read already")));
	}

}
