package io.scalarhub.bench.reference;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The least a Spring app does to serve customer-service's {@code GET /v1/customers/{id}}: WebFlux, R2DBC
 * PostgreSQL (Boot's pool) on the read replica, a JWT resource server checking issuer, audience, time window,
 * signature (auth-server's key set) and the read scope. No tracing, metrics, request log, problem details,
 * service registry or config-server. Tenancy the bare way: the tenant comes from the token's {@code tenant}
 * claim and goes into the WHERE clause, one statement, no transaction; the database role it connects as
 * bypasses row-level security (bench/layer-cost.sh creates it), so isolation rests on this query alone.
 */
@SpringBootApplication
public class ReferenceApplication {

	public static void main(String[] args) {
		SpringApplication.run(ReferenceApplication.class, args);
	}

	/** Stateless: nothing stored per request, and only the customer read is open (with its scope). */
	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.authorizeExchange((exchanges) -> exchanges.pathMatchers(HttpMethod.GET, "/v1/customers/*")
				.hasAuthority("SCOPE_customers:read")
				.anyExchange()
				.denyAll())
			// issuer, audience and key set come from spring.security.oauth2.resourceserver.jwt.* (application.yml)
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt(Customizer.withDefaults()))
			.build();
	}

	/** The same fields, names and types as customer-service's CustomerResponse. */
	record CustomerView(UUID id, String name, String email, String phone, Map<String, String> metadata,
			String status, Instant createdAt, Instant updatedAt) {
	}

	@RestController
	static class CustomerController {

		private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {
		};

		private final DatabaseClient db;

		private final JsonMapper json;

		CustomerController(DatabaseClient db, JsonMapper json) {
			this.db = db;
			this.json = json;
		}

		@GetMapping(path = "/v1/customers/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
		Mono<ResponseEntity<CustomerView>> get(@PathVariable UUID id, @AuthenticationPrincipal Jwt token) {
			String tenant = token.getClaimAsString("tenant");
			if (tenant == null) {
				// no tenant, no rows: a token without one (a service's own) sees nothing here
				return Mono.just(ResponseEntity.notFound().build());
			}
			return this.db
				.sql("SELECT id, name, email, phone, metadata, status, version, created_at, updated_at "
						+ "FROM customer WHERE id = :id AND tenant_id = :tenant")
				.bind("id", id)
				.bind("tenant", UUID.fromString(tenant))
				.map(this::toResponse)
				.one()
				.defaultIfEmpty(ResponseEntity.notFound().build());
		}

		private ResponseEntity<CustomerView> toResponse(Readable row) {
			CustomerView customer = new CustomerView(row.get("id", UUID.class), row.get("name", String.class),
					row.get("email", String.class), row.get("phone", String.class),
					this.json.readValue(row.get("metadata", Json.class).asString(), METADATA),
					row.get("status", String.class), row.get("created_at", OffsetDateTime.class).toInstant(),
					row.get("updated_at", OffsetDateTime.class).toInstant());
			return ResponseEntity.ok().eTag("\"" + row.get("version", Long.class) + "\"").body(customer);
		}

	}

}
