package io.scalarhub.subscription.client;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.scalarhub.platform.client.LoadBalancedWebClients;
import io.scalarhub.platform.client.ServiceUnavailableException;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.util.context.Context;

/**
 * The service's own access token (client credentials), fetched when first needed and again a minute before
 * it expires. {@link #asCaller()} puts it where platform-commons' service clients take the caller's token
 * from, so the billing worker's calls carry it exactly as a request's calls carry the client's.
 */
@Component
public class ServiceToken {

	private static final Duration EARLY_RENEWAL = Duration.ofMinutes(1);

	private final ServiceIdentityProperties properties;

	private final WebClient webClient;

	private final Mono<Jwt> token;

	public ServiceToken(ServiceIdentityProperties properties, LoadBalancedWebClients webClients) {
		this.properties = properties;
		this.webClient = LoadBalancedWebClients.isLoadBalanced(properties.tokenUri()) ? webClients.builder().build()
				: WebClient.create();
		this.token = Mono.defer(this::fetch)
			.cache((jwt) -> Duration.between(Instant.now(), jwt.getExpiresAt()).minus(EARLY_RENEWAL).isNegative()
					? Duration.ZERO : Duration.between(Instant.now(), jwt.getExpiresAt()).minus(EARLY_RENEWAL),
					(error) -> Duration.ZERO, () -> Duration.ZERO);
	}

	/** A context in which service clients present this service's token. */
	public Mono<Context> asCaller() {
		return this.token.map((jwt) -> ReactiveSecurityContextHolder.withAuthentication(new JwtAuthenticationToken(jwt)));
	}

	private Mono<Jwt> fetch() {
		return this.webClient.post()
			.uri(LoadBalancedWebClients.toHttp(this.properties.tokenUri()))
			.headers((headers) -> headers.setBasicAuth(this.properties.clientId(), this.properties.clientSecret()))
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(BodyInserters.fromFormData("grant_type", "client_credentials"))
			.retrieve()
			.bodyToMono(TokenResponse.class)
			.timeout(Duration.ofSeconds(2))
			.map((response) -> {
				Instant now = Instant.now();
				return Jwt.withTokenValue(response.accessToken())
					.header("alg", "RS256")
					.subject(this.properties.clientId())
					.issuedAt(now)
					.expiresAt(now.plusSeconds(Math.max(response.expiresIn(), 1)))
					.build();
			})
			.onErrorMap((error) -> !(error instanceof ServiceUnavailableException),
					(error) -> new ServiceUnavailableException("auth-server", 1, error));
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record TokenResponse(@JsonProperty("access_token") String accessToken, @JsonProperty("expires_in") long expiresIn) {
	}

}
