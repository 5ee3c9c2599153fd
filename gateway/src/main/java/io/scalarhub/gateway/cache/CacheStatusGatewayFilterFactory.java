package io.scalarhub.gateway.cache;

import java.util.Arrays;
import java.util.List;

import io.scalarhub.gateway.ratelimit.ClientRateLimitGatewayFilterFactory;
import io.scalarhub.platform.web.ETags;
import io.scalarhub.platform.web.RequestCorrelation;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.filter.factory.cache.LocalResponseCacheGatewayFilterFactory;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code CacheStatus}: goes with {@code LocalResponseCache} on a route, just outside it, and does three
 * things the stock cache does not.
 * <ul>
 * <li>Says where the answer came from: {@code X-Cache: hit} when the cache answered without calling the
 * service, {@code miss} otherwise.</li>
 * <li>Keeps per-request headers per request. The cache stores every header the response had when it was
 * written, including the {@code RateLimit-*} headers that {@code ClientRateLimit} set for the first request,
 * and on a hit it clears the response's headers and replays the stored ones. This filter puts back this
 * request's own rate-limit headers and drops any stored request or trace id, so that the correlation filter
 * writes this request's (it does so just before the response is committed).</li>
 * <li>Answers a conditional request from the cache: a hit whose {@code ETag} the request names in
 * {@code If-None-Match} is a 304 without a body, as the service itself would answer.</li>
 * </ul>
 * Besides, it makes the cache see each Cache-Control directive ({@link DirectivesDecorator}). The stock
 * cache key includes the {@code Authorization} header, so one client's token never reads
 * another's entry, whatever the response depends on.
 */
public class CacheStatusGatewayFilterFactory extends AbstractGatewayFilterFactory<Object> {

	public static final String HEADER = "X-Cache";

	/** Just outside the route's response cache, so that it sees both a hit and a miss. */
	public static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 4;

	/** Set by {@link UpstreamMarker}, which only runs when the cache let the request through. */
	static final String PASSED_THE_CACHE = CacheStatusGatewayFilterFactory.class.getName() + ".passed";

	/** Headers that belong to one request and must never be replayed from another's cached response. */
	static final List<String> PER_REQUEST = List.of(ClientRateLimitGatewayFilterFactory.LIMIT,
			ClientRateLimitGatewayFilterFactory.REMAINING, ClientRateLimitGatewayFilterFactory.RESET,
			RequestCorrelation.REQUEST_ID_HEADER, RequestCorrelation.TRACE_ID_HEADER);

	public CacheStatusGatewayFilterFactory() {
		super(Object.class);
	}

	@Override
	public GatewayFilter apply(Object config) {
		return new OrderedGatewayFilter((exchange, chain) -> {
			HttpHeaders own = new HttpHeaders();
			HttpHeaders current = exchange.getResponse().getHeaders();
			PER_REQUEST.forEach((name) -> {
				List<String> values = current.get(name);
				if (values != null) {
					own.addAll(name, values);
				}
			});
			return chain.filter(exchange.mutate().response(new StatusDecorator(exchange, own)).build());
		}, ORDER);
	}

	private static final class StatusDecorator extends ServerHttpResponseDecorator {

		private final ServerWebExchange exchange;

		private final HttpHeaders own;

		StatusDecorator(ServerWebExchange exchange, HttpHeaders own) {
			super(exchange.getResponse());
			this.exchange = exchange;
			this.own = own;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			HttpHeaders headers = getDelegate().getHeaders();
			List<String> cacheControl = headers.get(HttpHeaders.CACHE_CONTROL);
			if (cacheControl != null) {
				headers.set(HttpHeaders.CACHE_CONTROL, String.join(", ", directives(cacheControl)));
			}
			if (Boolean.TRUE.equals(this.exchange.getAttribute(PASSED_THE_CACHE))) {
				headers.set(HEADER, "miss");
				return super.writeWith(body);
			}
			PER_REQUEST.forEach(headers::remove);
			headers.addAll(this.own);
			headers.set(HEADER, "hit");
			String ifNoneMatch = this.exchange.getRequest().getHeaders().getFirst(HttpHeaders.IF_NONE_MATCH);
			String etag = headers.getETag();
			if (ifNoneMatch != null && etag != null && HttpStatus.OK.equals(getStatusCode())
					&& ETags.anyMatches(ifNoneMatch, etag)) {
				setStatusCode(HttpStatus.NOT_MODIFIED);
				headers.remove(HttpHeaders.CONTENT_LENGTH);
				headers.remove(HttpHeaders.CONTENT_TYPE);
				// the cached body is heap buffers the cache owns: nothing to release
				return Flux.from(body).then(getDelegate().setComplete());
			}
			return super.writeWith(body);
		}

	}

	/**
	 * The stock cache refuses to store a response whose Cache-Control <em>value</em> is {@code private} or
	 * {@code no-store}, comparing whole header values: {@code private, max-age=60} would be stored. Written
	 * before the cache decides, this splits the header into one value per directive (the same header, RFC
	 * 9110 section 5.3), so that the check sees each directive; {@link StatusDecorator} joins them again.
	 */
	private static final class DirectivesDecorator extends ServerHttpResponseDecorator {

		DirectivesDecorator(ServerHttpResponse delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			HttpHeaders headers = getDelegate().getHeaders();
			List<String> values = headers.get(HttpHeaders.CACHE_CONTROL);
			if (values != null) {
				headers.put(HttpHeaders.CACHE_CONTROL, directives(values));
			}
			return super.writeWith(body);
		}

	}

	static List<String> directives(List<String> values) {
		return values.stream()
			.flatMap((value) -> Arrays.stream(value.split(",")))
			.map(String::trim)
			.filter((directive) -> !directive.isEmpty())
			.toList();
	}

	/** Marks a request that went past the route's response cache, towards the service: a miss. */
	public static final class UpstreamMarker implements GlobalFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange,
				org.springframework.cloud.gateway.filter.GatewayFilterChain chain) {
			exchange.getAttributes().put(PASSED_THE_CACHE, Boolean.TRUE);
			if (exchange.getAttribute(LocalResponseCacheGatewayFilterFactory.LOCAL_RESPONSE_CACHE_FILTER_APPLIED) == null) {
				return chain.filter(exchange);
			}
			return chain.filter(exchange.mutate().response(new DirectivesDecorator(exchange.getResponse())).build());
		}

		/**
		 * Right after a route's cache ({@code WRITE_RESPONSE_FILTER_ORDER - 3}); the global cache's place, but
		 * the global cache is off (application.yml), as it would cache every GET route.
		 */
		@Override
		public int getOrder() {
			return NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 2;
		}

	}

}
