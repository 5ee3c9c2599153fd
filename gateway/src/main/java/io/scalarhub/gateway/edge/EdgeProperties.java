package io.scalarhub.gateway.edge;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What the gateway accepts from the outside, before anything is routed.
 *
 * @param maxBodySize the largest request body; larger is a 413 problem, whether announced by Content-Length
 * or found while streaming a chunked body
 * @param cors browser access; off while {@code allowed-origins} is empty
 */
@ConfigurationProperties("scalarhub.gateway.edge")
public record EdgeProperties(@DefaultValue("1MB") DataSize maxBodySize, @DefaultValue Cors cors) {

	/**
	 * @param allowedOrigins origins (scheme://host[:port]) whose pages may call the API; patterns allowed
	 * @param allowedHeaders request headers a browser may send
	 * @param exposedHeaders response headers a page's script may read
	 * @param maxAge how long a browser may cache a preflight answer
	 */
	public record Cors(@DefaultValue List<String> allowedOrigins,
			@DefaultValue({ "Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match",
					"X-Request-Id", "X-Consistency-Token" }) List<String> allowedHeaders,
			@DefaultValue({ "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "ETag",
					"Location", "X-Request-Id", "X-Trace-Id", "X-Consistency-Token",
					"Idempotent-Replayed" }) List<String> exposedHeaders,
			@DefaultValue("1h") Duration maxAge) {
	}

}
