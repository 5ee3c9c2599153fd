package io.scalarhub.transaction;

import java.util.UUID;

import io.scalarhub.test.TestJwtIssuer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The ledger's API as its tests call it: accounts opened through the internal API, postings with keys. */
final class LedgerTestClient {

	/** What the ledger's tests are allowed: post and read transactions, read balances. */
	static final String[] SCOPES = { "transactions:read", "transactions:write", "accounts:read" };

	final WebTestClient http;

	/** A client of the default tenant ({@link TestJwtIssuer#TENANT_A}). */
	LedgerTestClient(int port, TestJwtIssuer issuer, String clientId) {
		this(WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + issuer.token(clientId, SCOPES))
			.responseTimeout(java.time.Duration.ofSeconds(30))
			.build());
	}

	/** Over {@code http}, authenticated as the test needs (another tenant, say), with {@link #SCOPES}. */
	LedgerTestClient(WebTestClient http) {
		this.http = http;
	}

	UUID openAccount(String currency) {
		UUID id = UUID.randomUUID();
		this.http.put()
			.uri("/internal/ledger/accounts/{id}", id)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"currency\":\"" + currency + "\"}")
			.exchange()
			.expectStatus()
			.isOk();
		return id;
	}

	void setStatus(UUID account, String status) {
		this.http.put()
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
