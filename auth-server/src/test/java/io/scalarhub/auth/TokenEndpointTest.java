package io.scalarhub.auth;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token endpoint, the key set and the metadata over real HTTP, with the clients of
 * {@code application-test.yml} and a key set that starts empty (a key is generated into it at start).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { AuthServerTestProperties.NO_CONFIG_SERVER, AuthServerTestProperties.NO_EUREKA })
@ActiveProfiles("test")
class TokenEndpointTest {

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		AuthServerTestProperties.database(registry);
	}

	static final String ISSUER = "http://gateway.test.scalarhub:8080";

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	AuthServerHttp authServer;

	@BeforeEach
	void client() {
		this.authServer = new AuthServerHttp(this.port);
	}

	@Test
	void issuesASignedJwtWithTheClientsClaimsForCorrectBasicCredentials() throws Exception {
		Instant before = Instant.now().minusSeconds(1);
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("test-enterprise", "test-secret",
				Map.of("grant_type", "client_credentials", "scope", "customers:read customers:write"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Map<String, Object> body = AuthServerHttp.parse(response.body());
		assertThat(body.get("token_type")).isEqualTo("Bearer");
		assertThat(((Number) body.get("expires_in")).longValue()).isBetween(598L, 600L);
		assertThat(scopes(body)).containsExactlyInAnyOrder("customers:read", "customers:write");
		assertThat(body).doesNotContainKey("refresh_token");

		SignedJWT jwt = this.authServer.verified((String) body.get("access_token"));
		assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
		JWTClaimsSet claims = jwt.getJWTClaimsSet();
		assertThat(claims.getIssuer()).isEqualTo(ISSUER);
		assertThat(claims.getSubject()).isEqualTo("test-enterprise");
		assertThat(claims.getStringClaim("client_id")).isEqualTo("test-enterprise");
		assertThat(claims.getStringListClaim("scope")).containsExactlyInAnyOrder("customers:read", "customers:write");
		assertThat(claims.getStringClaim("tier")).isEqualTo("enterprise");
		assertThat(claims.getStringClaim("tenant")).isEqualTo("7e570000-0000-4000-8000-00000000000a");
		assertThat(claims.getAudience()).containsExactly("scalarhub-api");
		assertThat(claims.getIssueTime().toInstant()).isAfter(before);
		assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
			.isEqualTo(Duration.ofMinutes(10));
		assertThat(claims.getJWTID()).isNotBlank();
	}

	@Test
	void acceptsTheSecretInTheFormAndPutsTheClientsTierInItsTokens() throws Exception {
		HttpResponse<String> response = this.authServer.tokenRequestWithForm(Map.of("grant_type",
				"client_credentials", "client_id", "test-free", "client_secret", "other-secret", "scope",
				"customers:read"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JWTClaimsSet claims = this.authServer.verified(accessToken(response)).getJWTClaimsSet();
		assertThat(claims.getSubject()).isEqualTo("test-free");
		assertThat(claims.getStringClaim("tier")).isEqualTo("free");
		assertThat(claims.getStringClaim("tenant")).isEqualTo("7e570000-0000-4000-8000-00000000000b");
	}

	@Test
	void aPlatformServicesTokenNamesNoTenant() throws Exception {
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("test-service", "service-secret",
				Map.of("grant_type", "client_credentials"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JWTClaimsSet claims = this.authServer.verified(accessToken(response)).getJWTClaimsSet();
		assertThat(claims.getStringListClaim("scope")).containsExactly("internal");
		assertThat(claims.getClaims()).doesNotContainKey("tenant");
	}

	@Test
	void aRequestWithoutScopeGetsAllTheClientsScopes() throws Exception {
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("test-enterprise", "test-secret",
				Map.of("grant_type", "client_credentials"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(scopes(AuthServerHttp.parse(response.body()))).containsExactlyInAnyOrder("customers:read",
				"customers:write", "accounts:read");
		assertThat(this.authServer.verified(accessToken(response)).getJWTClaimsSet().getStringListClaim("scope"))
			.containsExactlyInAnyOrder("customers:read", "customers:write", "accounts:read");
	}

	@Test
	void refusesAScopeTheClientDoesNotHave() {
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("test-free", "other-secret",
				Map.of("grant_type", "client_credentials", "scope", "customers:read customers:write"));

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(AuthServerHttp.parse(response.body())).containsEntry("error", "invalid_scope");
	}

	@Test
	void refusesAWrongSecret() {
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("test-enterprise", "not-the-secret",
				Map.of("grant_type", "client_credentials"));

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(AuthServerHttp.parse(response.body())).containsEntry("error", "invalid_client");
	}

	@Test
	void refusesAnUnknownClient() {
		HttpResponse<String> response = this.authServer.tokenRequestWithBasic("nobody", "test-secret",
				Map.of("grant_type", "client_credentials"));

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(AuthServerHttp.parse(response.body())).containsEntry("error", "invalid_client");
	}

	@Test
	void refusesARequestWithoutClientCredentials() {
		HttpResponse<String> response = this.authServer
			.tokenRequestWithForm(Map.of("grant_type", "client_credentials", "client_id", "test-enterprise"));

		assertThat(response.statusCode()).isEqualTo(401);
	}

	@Test
	void offersNoOtherGrant() {
		HttpResponse<String> password = this.authServer.tokenRequestWithBasic("test-enterprise", "test-secret",
				Map.of("grant_type", "password", "username", "ada", "password", "secret"));
		HttpResponse<String> code = this.authServer.tokenRequestWithBasic("test-enterprise", "test-secret",
				Map.of("grant_type", "authorization_code", "code", "anything", "redirect_uri", "http://x.test/cb"));

		assertThat(password.statusCode()).isEqualTo(400);
		assertThat(AuthServerHttp.parse(password.body())).containsEntry("error", "unsupported_grant_type");
		assertThat(code.statusCode()).isEqualTo(400);
		assertThat(AuthServerHttp.parse(code.body())).containsEntry("error", "invalid_grant");
	}

	@Test
	void introspectsAnIssuedTokenUntilItIsRevoked() {
		String token = accessToken(this.authServer.tokenRequestWithBasic("test-free", "other-secret",
				Map.of("grant_type", "client_credentials")));
		Map<String, String> tokenForm = Map.of("token", token);

		Map<String, Object> introspection = AuthServerHttp.parse(this.authServer
			.postWithBasic("/oauth2/introspect", "test-free", "other-secret", tokenForm)
			.body());
		int revocationStatus = this.authServer
			.postWithBasic("/oauth2/revoke", "test-free", "other-secret", tokenForm)
			.statusCode();
		Map<String, Object> afterRevocation = AuthServerHttp.parse(this.authServer
			.postWithBasic("/oauth2/introspect", "test-free", "other-secret", tokenForm)
			.body());

		assertThat(introspection).containsEntry("active", true)
			.containsEntry("client_id", "test-free")
			.containsEntry("tier", "free");
		assertThat(revocationStatus).isEqualTo(200);
		assertThat(afterRevocation).containsEntry("active", false);
	}

	@Test
	void publishesTheOAuthMetadataWithTheConfiguredIssuer() {
		Map<String, Object> metadata = this.authServer.getJson("/.well-known/oauth-authorization-server");

		assertThat(metadata).containsEntry("issuer", ISSUER)
			.containsEntry("token_endpoint", ISSUER + "/oauth2/token")
			.containsEntry("jwks_uri", ISSUER + "/oauth2/jwks")
			.containsEntry("grant_types_supported", List.of("client_credentials"))
			.containsEntry("token_endpoint_auth_methods_supported",
					List.of("client_secret_basic", "client_secret_post"))
			.containsEntry("introspection_endpoint_auth_methods_supported",
					List.of("client_secret_basic", "client_secret_post"));
	}

	@Test
	void publishesTheOpenIdMetadataWithTheConfiguredIssuer() {
		Map<String, Object> metadata = this.authServer.getJson("/.well-known/openid-configuration");

		assertThat(metadata).containsEntry("issuer", ISSUER)
			.containsEntry("token_endpoint", ISSUER + "/oauth2/token")
			.containsEntry("jwks_uri", ISSUER + "/oauth2/jwks")
			.containsEntry("grant_types_supported", List.of("client_credentials"))
			.containsEntry("token_endpoint_auth_methods_supported",
					List.of("client_secret_basic", "client_secret_post"))
			.containsEntry("introspection_endpoint_auth_methods_supported",
					List.of("client_secret_basic", "client_secret_post"));
	}

	@Test
	void publishesOnlyThePublicPartOfTheSigningKey() {
		List<JWK> keys = this.authServer.jwks().getKeys();

		assertThat(keys).singleElement().satisfies((key) -> {
			assertThat(key.isPrivate()).isFalse();
			assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
			assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
		});
	}

	@Test
	void deniesEverythingElseOnTheServerPort() {
		assertThat(this.authServer.get("/").statusCode()).isEqualTo(401);
		assertThat(this.authServer.get("/actuator/health").statusCode()).isEqualTo(401);
		assertThat(this.authServer.get("/login").statusCode()).isEqualTo(401);
		assertThat(this.authServer.get("/userinfo").statusCode()).isEqualTo(401);
	}

	@Test
	void servesHealthProbesToAnyoneAndMetricsToTheOperatorOnTheManagementPort() {
		AuthServerHttp management = new AuthServerHttp(this.managementPort);

		assertThat(management.getJson("/actuator/health")).containsEntry("status", "UP");
		assertThat(management.getJson("/actuator/health/liveness")).containsEntry("status", "UP");
		assertThat(management.getJson("/actuator/health/readiness")).containsEntry("status", "UP");
		// the probes are a bare status for anyone; metrics and details for the operator only
		assertThat(management.get("/actuator/health").body()).doesNotContain("components");
		assertThat(management.get("/actuator/prometheus").statusCode()).isEqualTo(401);
		assertThat(management.get("/actuator/prometheus", "scalarhub-ops", "wrong").statusCode()).isEqualTo(401);
		assertThat(management.get("/actuator/prometheus", "scalarhub-ops", AuthServerTestProperties.OPERATOR_PASSWORD)
			.statusCode()).isEqualTo(200);
		// and what is not exposed stays closed, even to the operator
		assertThat(management.get("/actuator/env", "scalarhub-ops", AuthServerTestProperties.OPERATOR_PASSWORD)
			.statusCode()).isIn(401, 403, 404);
	}

	private static String accessToken(HttpResponse<String> response) {
		return (String) AuthServerHttp.parse(response.body()).get("access_token");
	}

	private static List<String> scopes(Map<String, Object> tokenResponse) {
		return Arrays.asList(((String) tokenResponse.get("scope")).split(" "));
	}

}
