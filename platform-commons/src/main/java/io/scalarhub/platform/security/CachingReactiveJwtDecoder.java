package io.scalarhub.platform.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * A {@link ReactiveJwtDecoder} that remembers the tokens its delegate verified. An API client sends the same
 * bearer token with every request for its whole lifetime, and each hop (gateway, then service) verified it
 * again: an RSA signature check, the JSON parsed, every claim validated. Here that happens once per token and
 * app; later requests with the same token get the same {@link Jwt} back.
 *
 * <p>
 * What keeps that safe:
 * <ul>
 * <li>The key is the whole token string, compared exactly: any other string (a changed payload, header or
 * signature) is a miss and goes to the delegate, which verifies it from scratch. No hash stands in for it,
 * so there is no collision to engineer.</li>
 * <li>Only a successful verification is kept; an error is never cached, so a bad token costs its full check
 * every time and cannot displace good entries. Entries are thus tokens auth-server signed: flooding the cache
 * takes a valid token per entry.</li>
 * <li>An entry lives until the token's {@code exp} at the latest, and never longer than {@code max-ttl}. At
 * every hit the token's time window is checked again, against the same clock and with the same skew as the
 * decoder's validator, so an expired token is refused even while its entry is still held.</li>
 * <li>A token without {@code exp}, or bound to a client certificate ({@code cnf}, whose check depends on the
 * request and not on the token alone), is never kept.</li>
 * <li>Bounded by {@code maximum-size} (Caffeine's admission and eviction, not a hand-written LRU).</li>
 * </ul>
 * Concurrent first uses of one token may each be verified; that only costs what an uncached decoder costs.
 */
public final class CachingReactiveJwtDecoder implements ReactiveJwtDecoder {

	/** The {@code cache} tag of the cache's meters ({@code cache_gets_total{result="hit"|"miss"}}, ...). */
	public static final String CACHE_NAME = "security.verified-tokens";

	private final ReactiveJwtDecoder delegate;

	private final Cache<String, Jwt> verified;

	private final OAuth2TokenValidator<Jwt> timeWindow;

	private final Clock clock;

	private final Duration maxTtl;

	/** In production: the system clock for token time (as the validator) and Caffeine's monotonic ticker. */
	public CachingReactiveJwtDecoder(ReactiveJwtDecoder delegate, TokenCacheProperties properties) {
		this(delegate, properties, Clock.systemUTC(), Ticker.systemTicker());
	}

	/**
	 * @param clock the wall clock a token's {@code exp} is judged by: the one the delegate's validator uses
	 * @param ticker Caffeine's time source for evicting entries (monotonic; separate so tests can move either)
	 */
	CachingReactiveJwtDecoder(ReactiveJwtDecoder delegate, TokenCacheProperties properties, Clock clock, Ticker ticker) {
		this.delegate = delegate;
		this.clock = clock;
		this.maxTtl = properties.maxTtl();
		this.timeWindow = TokenValidation.timeWindow(clock);
		this.verified = Caffeine.newBuilder()
			.maximumSize(properties.maximumSize())
			.expireAfter(Expiry.creating((String token, Jwt jwt) -> lifetime(jwt)))
			.ticker(ticker)
			.recordStats()
			.build();
	}

	@Override
	public Mono<Jwt> decode(String token) {
		Jwt cached = (token != null) ? this.verified.getIfPresent(token) : null;
		if (cached == null) {
			return this.delegate.decode(token).doOnNext((jwt) -> remember(token, jwt));
		}
		OAuth2TokenValidatorResult window = this.timeWindow.validate(cached);
		if (window.hasErrors()) {
			// expired while held (the entry's own expiry and this clock disagree, or the clock moved): refused
			// like the decoder refuses it, not verified again
			this.verified.invalidate(token);
			return Mono.error(new JwtValidationException("An error occurred while attempting to decode the Jwt: "
					+ window.getErrors().iterator().next().getDescription(), window.getErrors()));
		}
		return Mono.just(cached);
	}

	private void remember(String token, Jwt jwt) {
		if (token == null || jwt.getExpiresAt() == null || jwt.hasClaim("cnf")) {
			return;
		}
		// accepted within the skew after its exp: valid now, but not to be kept past exp
		if (lifetime(jwt).isZero()) {
			return;
		}
		this.verified.put(token, jwt);
	}

	/** Until {@code exp} (no skew: an entry never outlives its token), at most {@code max-ttl}; never negative. */
	private Duration lifetime(Jwt jwt) {
		Instant expiresAt = jwt.getExpiresAt();
		if (expiresAt == null) {
			return Duration.ZERO;
		}
		Duration untilExpiry = Duration.between(this.clock.instant(), expiresAt);
		if (untilExpiry.isNegative()) {
			return Duration.ZERO;
		}
		return (untilExpiry.compareTo(this.maxTtl) < 0) ? untilExpiry : this.maxTtl;
	}

	/** Publishes hits, misses, size and evictions under {@code cache="security.verified-tokens"}. */
	public void monitor(MeterRegistry registry) {
		CaffeineCacheMetrics.monitor(registry, this.verified, CACHE_NAME);
	}

	/** How many tokens are held, after pending evictions ran. */
	long size() {
		this.verified.cleanUp();
		return this.verified.estimatedSize();
	}

}
