package io.scalarhub.transaction;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.scalarhub.test.TestJwtIssuer;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * The ledger's API as its tests call it: an API client of one tenant posts and reads with its own token, and
 * its accounts are opened and their status changed through the internal API the way account-service does it,
 * with account-service's own token (scope {@code internal}, no tenant) naming the client's tenant in
 * {@value #TENANT_HEADER}. An API client's token is never accepted on {@code /internal/**}.
 */
final class LedgerTestClient {

	/** What the ledger's tests are allowed: post and read transactions, read balances. */
	static final String[] SCOPES = { "transactions:read", "transactions:write", "accounts:read" };

	/** Every scope the ledger's public API knows: still an API client's token, still no internal API. */
	static final String[] ALL_SCOPES = { "transactions:read", "transactions:write", "accounts:read", "accounts:write" };

	/** The tenant a platform service acts for (believed only next to its own, tenant-less internal token). */
	static final String TENANT_HEADER = "X-Scalarhub-Tenant";

	static final String CONSISTENCY_HEADER = "X-Consistency-Token";

	/** The API client: the tenant's own token. */
	final WebTestClient http;

	/** account-service calling the ledger's internal API for the API client's tenant. */
	final WebTestClient internal;

	/** A platform service ({@code subscription-service}, say) calling the internal API for the client's tenant. */
	private final Function<String, WebTestClient> services;

	/** A client of the default tenant ({@link TestJwtIssuer#TENANT_A}). */
	LedgerTestClient(int port, TestJwtIssuer issuer, String clientId) {
		this(port, issuer, TestJwtIssuer.TENANT_A, issuer.token(clientId, SCOPES));
	}

	private LedgerTestClient(int port, TestJwtIssuer issuer, UUID tenant, String apiToken) {
		// the API client and the services acting for its tenant read each other's writes (a replica may lag)
		AtomicReference<String> lastWrite = new AtomicReference<>();
		this.http = server(port, apiToken, null, lastWrite);
		this.services = (service) -> server(port, issuer.serviceToken(service), tenant, lastWrite);
		this.internal = this.services.apply("account-service");
	}

	/**
	 * Over {@code http}, authenticated as the test needs (another tenant, say), with {@link #SCOPES};
	 * {@code services} gives a platform service's client acting for the same tenant.
	 */
	LedgerTestClient(WebTestClient http, Function<String, WebTestClient> services) {
		this.http = http;
		this.services = services;
		this.internal = services.apply("account-service");
	}

	/** {@code service}'s own token on the internal API, acting for this client's tenant. */
	WebTestClient service(String service) {
		return this.services.apply(service);
	}

	/**
	 * A client of the service on {@code port} with {@code token}; naming {@code tenant} in
	 * {@value #TENANT_HEADER} unless null; presenting the last write any client sharing {@code lastWrite} was
	 * answered, so that a read never misses a write because the replica has not replayed it yet.
	 */
	static WebTestClient server(int port, String token, UUID tenant, AtomicReference<String> lastWrite) {
		WebTestClient.Builder builder = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.responseTimeout(Duration.ofSeconds(30))
			.filter(readingEveryWrite(lastWrite));
		if (tenant != null) {
			builder.defaultHeader(TENANT_HEADER, tenant.toString());
		}
		return builder.build();
	}

	static ExchangeFilterFunction readingEveryWrite(AtomicReference<String> lastWrite) {
		return (request, next) -> {
			String position = lastWrite.get();
			ClientRequest presenting = (position != null)
					? ClientRequest.from(request).header(CONSISTENCY_HEADER, position).build() : request;
			Mono<ClientResponse> response = next.exchange(presenting);
			return response.doOnNext((answer) -> {
				String written = answer.headers().asHttpHeaders().getFirst(CONSISTENCY_HEADER);
				if (written != null) {
					lastWrite.set(written);
				}
			});
		};
	}

	UUID openAccount(String currency) {
		UUID id = UUID.randomUUID();
		this.internal.put()
			.uri("/internal/ledger/accounts/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"currency\":\"" + currency + "\"}")
			.exchange()
			.expectStatus()
			.isOk();
		return id;
	}

	void setStatus(UUID account, String status) {
		this.internal.put()
			.uri("/internal/ledger/accounts/{id}/status", account)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"status\":\"" + status + "\"}")
			.exchange()
			.expectStatus()
			.isOk();
	}

	WebTestClient.ResponseSpec post(String key, String json) {
		WebTestClient.RequestBodySpec request = this.http.post().uri("/v1/transactions").contentType(MediaType.APPLICATION_JSON);
		if (key != null) {
			request.header("Idempotency-Key", key);
		}
		return request.bodyValue(json).exchange();
	}

	void deposit(UUID account, long amount) {
		post(UUID.randomUUID().toString(), deposit(account, amount, "EUR")).expectStatus().isCreated();
	}

	long balance(UUID account) {
		Long amount = this.http.get()
			.uri("/v1/accounts/{id}/balance", account)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Balance.class)
			.returnResult()
			.getResponseBody()
			.amount();
		return amount;
	}

	static String deposit(UUID account, long amount, String currency) {
		return "{\"type\":\"DEPOSIT\",\"amount\":" + amount + ",\"currency\":\"" + currency
				+ "\",\"destinationAccountId\":\"" + account + "\"}";
	}

	static String withdrawal(UUID account, long amount) {
		return "{\"type\":\"WITHDRAWAL\",\"amount\":" + amount + ",\"currency\":\"EUR\",\"sourceAccountId\":\"" + account
				+ "\"}";
	}

	static String transfer(UUID from, UUID to, long amount) {
		return "{\"type\":\"TRANSFER\",\"amount\":" + amount + ",\"currency\":\"EUR\",\"sourceAccountId\":\"" + from
				+ "\",\"destinationAccountId\":\"" + to + "\"}";
	}

	record Balance(UUID accountId, Long amount, String currency, String asOf) {
	}

}
