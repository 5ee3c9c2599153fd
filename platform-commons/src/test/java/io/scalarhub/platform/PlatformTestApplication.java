package io.scalarhub.platform;

import java.util.UUID;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The smallest app built the way every ScalarHub app is: all of platform-commons' auto-configuration (security,
 * request correlation, tracing, the platform defaults), no database. {@code /probe} (and the two below it) answer
 * anyone where a test lists them in {@code scalarhub.security.public-paths}; {@code /secured} wants a valid token.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
		"org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
@RestController
public class PlatformTestApplication {

	@GetMapping("/probe")
	Mono<String> probe() {
		return Mono.just("ok");
	}

	/** A UUID in the path: anything else is the client's bad input (400). */
	@GetMapping("/probe/items/{id}")
	Mono<String> item(@PathVariable UUID id) {
		return Mono.just(id.toString());
	}

	/** A server failure (500), as a bug would be. */
	@GetMapping("/probe/failure")
	Mono<String> failure() {
		return Mono.error(new IllegalStateException("probe failure"));
	}

	@GetMapping("/secured")
	Mono<String> secured() {
		return Mono.just("ok");
	}

}
