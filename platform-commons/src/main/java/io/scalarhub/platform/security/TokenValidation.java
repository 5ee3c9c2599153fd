package io.scalarhub.platform.security;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;

/**
 * What makes a verified token acceptable to the platform: its issuer, its time window and its audience. One
 * definition, shared by the decoder and by the verified-token cache, so both judge expiry alike.
 */
final class TokenValidation {

	/**
	 * How far {@code exp} and {@code nbf} may be off this app's clock: Spring Security's default, stated here so
	 * that the cache re-checks a cached token with exactly the skew the decoder allowed it.
	 */
	static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

	private TokenValidation() {
	}

	/** Issuer, time window (with {@link #CLOCK_SKEW}), audience; plus Spring's defaults (type, certificate binding). */
	static OAuth2TokenValidator<Jwt> validator(String issuer, String audience, Clock clock) {
		// a token the platform's auth-server issued for anything but this API is refused
		JwtClaimValidator<List<String>> audienceValidator = new JwtClaimValidator<>(JwtClaimNames.AUD,
				(aud) -> aud != null && aud.contains(audience));
		return JwtValidators.createDefaultWithValidators(
				List.of(new JwtIssuerValidator(issuer), timeWindow(clock), audienceValidator));
	}

	/** {@code exp} and {@code nbf} against {@code clock}, with {@link #CLOCK_SKEW}. */
	static JwtTimestampValidator timeWindow(Clock clock) {
		JwtTimestampValidator validator = new JwtTimestampValidator(CLOCK_SKEW);
		validator.setClock(clock);
		return validator;
	}

}
