package io.scalarhub.customer;

import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.TestJwtIssuer;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the replica tests share: a writer and a reader (two API clients), creating a customer, and which
 * server served the reads (the service's own counter, {@code scalarhub.db.reads{target}}).
 */
abstract class ReplicaRoutingTestBase {

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	WebTestClient writer;

	WebTestClient reader;

	/** The token issuer the subclass's service trusts. */
	abstract TestJwtIssuer issuer();

	@BeforeEach
	void clients() {
		this.writer = client("writer");
		this.reader = client("reader");
	}

	WebTestClient client(String clientId) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION,
					"Bearer " + issuer().token(clientId, "customers:read", "customers:write"))
			.build();
	}

	/** Creates a customer as {@code client}; returns the created response (Location, consistency token). */
	EntityExchangeResult<byte[]> create(WebTestClient client) {
		return client.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Replica Test\",\"email\":\"r-" + UUID.randomUUID() + "@example.com\"}")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody()
			.returnResult();
	}

	String createdLocation(WebTestClient client) {
		return create(client).getResponseHeaders().getLocation().getPath();
	}

	/** Read-only transactions served by {@code target} (replica or primary) so far. */
	double reads(String target) {
		return this.meters.get("scalarhub.db.reads").tag("target", target).counter().count();
	}

	int status(WebTestClient client, String path) {
		return client.get().uri(path).exchange().returnResult(byte[].class).getStatus().value();
	}

}
