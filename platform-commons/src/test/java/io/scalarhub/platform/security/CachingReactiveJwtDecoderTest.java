package io.scalarhub.platform.security;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jwt.JWTClaimsSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verified-token cache in front of a real decoder: RS256 tokens signed with a real key, verified by Spring's
 * Nimbus decoder with the platform's validators (issuer, time window, audience). The decoder's clock and the
 * cache's clock are one movable clock; Caffeine's ticker moves separately, so a test can hold an entry in the
 * cache while the clock passes the token's expiry. Nothing sleeps.
 */
class CachingReactiveJwtDecoderTest {

	static final TestTokens tokens = new TestTokens();

	final MovableClock clock = new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

	/** Caffeine's ticker, in nanoseconds. */
	final AtomicLong ticker = new AtomicLong();

	/** How many tokens reached the real decoder. */
	final AtomicInteger verifications = new AtomicInteger();

	final ReactiveJwtDecoder verifying = verifyingDecoder();

	@AfterAll
	static void close() {
		tokens.close();
	}

	ReactiveJwtDecoder verifyingDecoder() {
		NimbusReactiveJwtDecoder nimbus = NimbusReactiveJwtDecoder.withPublicKey(tokens.publicKey()).build();
		nimbus.setJwtValidator(TokenValidation.validator(TestTokens.ISSUER, TestTokens.AUDIENCE, this.clock));
		return (token) -> {
			this.verifications.incrementAndGet();
			return nimbus.decode(token);
		};
	}

	CachingReactiveJwtDecoder cache(long maximumSize, Duration maxTtl) {
		return new CachingReactiveJwtDecoder(this.verifying, new TokenCacheProperties(true, maximumSize, maxTtl),
				this.clock, this.ticker::get);
	}

	/** Both time sources: what really passing time does. */
	void elapse(Duration duration) {
		this.clock.advance(duration);
		this.ticker.addAndGet(duration.toNanos());
	}

	String token(Duration lifetime) {
		return tokens.sign(TestTokens.claims(this.clock.instant(), lifetime).build());
	}

	@Test
	void aTokenVerifiedOnceIsNotVerifiedAgain() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(5));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		decoder.monitor(meters);
		String token = token(Duration.ofMinutes(15));

		Jwt first = decoder.decode(token).block();
		Jwt second = decoder.decode(token).block();
		Jwt third = decoder.decode(token).block();

		assertThat(this.verifications).hasValue(1);
		assertThat(first.getSubject()).isEqualTo("test-client");
		assertThat(second.getTokenValue()).isEqualTo(token);
		assertThat(third.getClaimAsStringList("scope")).containsExactly("customers:read");
		assertThat(meters.get("cache.gets").tag("cache", CachingReactiveJwtDecoder.CACHE_NAME).tag("result", "hit")
			.functionCounter().count()).isEqualTo(2);
		assertThat(meters.get("cache.gets").tag("cache", CachingReactiveJwtDecoder.CACHE_NAME).tag("result", "miss")
			.functionCounter().count()).isEqualTo(1);
	}

	@Test
	void aTokenThatExpiredWhileCachedIsRefusedWithoutVerifyingItAgain() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(10));
		String token = token(Duration.ofMinutes(5));
		decoder.decode(token).block();

		// the clock passes exp and the skew; Caffeine's ticker stands still, so the entry is still held
		this.clock.advance(Duration.ofMinutes(5).plus(TokenValidation.CLOCK_SKEW).plusSeconds(1));
		assertThat(decoder.size()).isEqualTo(1);

		assertThatThrownBy(() -> decoder.decode(token).block()).isInstanceOf(JwtValidationException.class)
			.hasMessageContaining("expired");
		// refused by the cache's own check, not by a second verification
		assertThat(this.verifications).hasValue(1);
		assertThat(decoder.size()).isZero();
		// and from then on by the decoder, every time
		assertThatThrownBy(() -> decoder.decode(token).block()).isInstanceOf(JwtValidationException.class);
		assertThat(this.verifications).hasValue(2);
	}

	@Test
	void aTokenWithinTheSkewIsStillAcceptedLikeTheDecoderAcceptsIt() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(10));
		String token = token(Duration.ofMinutes(5));
		decoder.decode(token).block();

		this.clock.advance(Duration.ofMinutes(5).plus(TokenValidation.CLOCK_SKEW).minusSeconds(1));

		assertThat(decoder.decode(token).block().getTokenValue()).isEqualTo(token);
		assertThat(this.verifications).hasValue(1);
	}

	@Test
	void anEntryNeverOutlivesItsTokensExpiry() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(5));
		String token = token(Duration.ofSeconds(30));
		decoder.decode(token).block();

		// past exp but within the skew: still valid, so the decoder accepts it, but no longer from the cache
		elapse(Duration.ofSeconds(31));
		decoder.decode(token).block();
		assertThat(this.verifications).hasValue(2);
		// nor is it kept again once past its exp
		decoder.decode(token).block();
		assertThat(this.verifications).hasValue(3);
		assertThat(decoder.size()).isZero();
	}

	@Test
	void noEntryOutlivesTheMaximumTimeToLive() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(1));
		String token = token(Duration.ofMinutes(15));
		decoder.decode(token).block();

		elapse(Duration.ofSeconds(59));
		decoder.decode(token).block();
		assertThat(this.verifications).hasValue(1);

		elapse(Duration.ofSeconds(2));
		decoder.decode(token).block();
		assertThat(this.verifications).hasValue(2);
	}

	@Test
	void aTamperedTokenIsAMissAndFailsVerificationEveryTime() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(5));
		String token = token(Duration.ofMinutes(15));
		decoder.decode(token).block();

		String[] parts = token.split("\\.");
		String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
		String escalated = payload.replace("\"customers:read\"", "\"customers:write\"");
		assertThat(escalated).isNotEqualTo(payload);
		String changedPayload = parts[0] + "." + base64Url(escalated) + "." + parts[2];
		int middle = parts[2].length() / 2;
		String changedSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, middle)
				+ ((parts[2].charAt(middle) == 'A') ? 'B' : 'A') + parts[2].substring(middle + 1);
		String unsigned = base64Url("{\"alg\":\"none\"}") + "." + parts[1] + ".";

		int verified = 1;
		for (int round = 0; round < 2; round++) {
			for (String tampered : List.of(changedPayload, changedSignature, unsigned)) {
				assertThatThrownBy(() -> decoder.decode(tampered).block()).as(tampered)
					.isInstanceOf(BadJwtException.class);
				// each attempt goes to the decoder: a failure is never remembered, nor served from the original
				assertThat(this.verifications).hasValue(++verified);
			}
		}
		// the genuine token is still served from the cache
		assertThat(decoder.decode(token).block().getClaimAsStringList("scope")).containsExactly("customers:read");
		assertThat(this.verifications).hasValue(verified);
		assertThat(decoder.size()).isEqualTo(1);
	}

	@Test
	void tokensTheDecoderRefusesAreRefusedEveryTimeAndNeverKept() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(5));
		Instant now = this.clock.instant();
		Duration lifetime = Duration.ofMinutes(15);
		// the right issuer and key, another API's audience; no audience; another issuer; another key (same kid)
		List<String> refused = List.of(tokens.sign(TestTokens.claims(now, lifetime).audience("some-other-api").build()),
				tokens.sign(TestTokens.claims(now, lifetime).audience((String) null).build()),
				tokens.sign(TestTokens.claims(now, lifetime).issuer("http://elsewhere.example").build()),
				tokens.signWithStrangerKey(TestTokens.claims(now, lifetime).build()));

		for (String token : refused) {
			for (int round = 0; round < 2; round++) {
				assertThatThrownBy(() -> decoder.decode(token).block()).isInstanceOf(BadJwtException.class);
			}
		}

		assertThat(this.verifications).hasValue(refused.size() * 2);
		assertThat(decoder.size()).isZero();
	}

	@Test
	void aTokenWithoutExpiryIsNeverKept() {
		CachingReactiveJwtDecoder decoder = cache(100, Duration.ofMinutes(5));
		JWTClaimsSet claims = TestTokens.claims(this.clock.instant(), Duration.ofMinutes(15))
			.expirationTime(null)
			.build();
		String token = tokens.sign(claims);

		decoder.decode(token).block();
		decoder.decode(token).block();

		assertThat(this.verifications).hasValue(2);
		assertThat(decoder.size()).isZero();
	}

	@Test
	void theCacheStaysBounded() {
		CachingReactiveJwtDecoder decoder = cache(20, Duration.ofMinutes(5));
		List<String> issued = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			issued.add(token(Duration.ofMinutes(15)));
		}

		issued.forEach((token) -> assertThat(decoder.decode(token).block()).isNotNull());

		assertThat(this.verifications).hasValue(200);
		assertThat(decoder.size()).isLessThanOrEqualTo(20);
	}

	@Test
	void settingsThatWouldNotBoundTheCacheAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenCacheProperties(true, 0, Duration.ofMinutes(5)));
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenCacheProperties(true, 10, Duration.ZERO));
	}

	private static String base64Url(String json) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	/** A clock the test moves. */
	static final class MovableClock extends Clock {

		private final AtomicReference<Instant> now;

		MovableClock(Instant start) {
			this.now = new AtomicReference<>(start);
		}

		void advance(Duration duration) {
			this.now.updateAndGet((instant) -> instant.plus(duration));
		}

		@Override
		public Instant instant() {
			return this.now.get();
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
