package io.scalarhub.customer;

import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.TestJwtIssuer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the replica tests share: clients by id, creating a customer, and where reads were served. */
final class ReplicaTestSupport {

	private final TestJwtIssuer issuer;

	private final int port;

	private final MeterRegistry meters;

	ReplicaTestSupport(TestJwtIssuer issuer, int port, MeterRegistry meters) {
		this.issuer = issuer;
		this.port = port;
		this.meters = meters;
	}

	WebTestClient client(String clientId) {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.defaultHeader(HttpHeaders.AUTHORIZATION,
					"Bearer " + this.issuer.token(clientId, "customers:read", "customers:write"))
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

	/** Read-only transactions served by {@code target} (replica or primary) so far. */
	double reads(String target) {
		return this.meters.get("scalarhub.db.reads").tag("target", target).counter().count();
	}

	int status(WebTestClient client, String path) {
		return client.get().uri(path).exchange().returnResult(byte[].class).getStatus().value();
	}

}
