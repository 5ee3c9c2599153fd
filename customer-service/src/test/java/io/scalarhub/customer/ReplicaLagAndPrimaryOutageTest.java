package io.scalarhub.customer;

import java.time.Duration;

import io.scalarhub.test.LocalCluster;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lagging replica and a dead primary, for real: replay paused past the lag bound sends reads to the
 * primary; the primary stopped makes writes fail fast with 503 while reads go on from the replica.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.r2dbc.replica.max-lag=300ms", "scalarhub.r2dbc.replica.check-interval=100ms",
				"scalarhub.r2dbc.replica.retry-after=300ms" })
class ReplicaLagAndPrimaryOutageTest extends ReplicaRoutingTestBase {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_outage"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	TestJwtIssuer issuer() {
		return issuer;
	}

	@AfterEach
	void clusterBackToNormal() {
		LocalCluster.start("primary");
		LocalCluster.resumeReplay();
	}

	@Test
	void aReplicaLaggingPastTheBoundSendsReadsToThePrimaryUntilItCatchesUp() {
		LocalCluster.pauseReplay();
		String location = createdLocation(this.writer);
		// once the lag passes 300 ms, a plain read from another client is served fresh by the primary
		Polling.until(Duration.ofSeconds(10), "reads to move to the primary",
				() -> status(this.reader, location) == 200);
		assertThat(this.meters.get("scalarhub.db.replica.lag").gauge().value()).isGreaterThan(0.3);

		LocalCluster.resumeReplay();
		double replicaReads = reads("replica");
		Polling.until(Duration.ofSeconds(10), "reads to return to the caught-up replica", () -> {
			assertThat(status(this.reader, location)).isEqualTo(200);
			return reads("replica") > replicaReads;
		});
	}

	@Test
	void withThePrimaryDownWritesFailFastWith503WhileReadsGoOnFromTheReplica() {
		String location = createdLocation(this.writer);
		Polling.until(Duration.ofSeconds(10), "the replica to serve the customer",
				() -> status(this.reader, location) == 200);
		LocalCluster.stop("primary");

		long started = System.nanoTime();
		this.writer.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Down\",\"email\":\"down@example.com\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists("Retry-After")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

		double replicaReads = reads("replica");
		this.reader.get().uri(location).exchange().expectStatus().isOk();
		this.reader.get().uri("/v1/customers?size=5").exchange().expectStatus().isOk();
		assertThat(reads("replica")).isGreaterThanOrEqualTo(replicaReads + 2);

		LocalCluster.start("primary");
		Polling.until(Duration.ofSeconds(30), "writes to succeed again", () -> this.writer.post()
			.uri("/v1/customers")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Back\",\"email\":\"back-" + System.nanoTime() + "@example.com\"}")
			.exchange()
			.returnResult(byte[].class)
			.getStatus()
			.value() == 201);
	}

}
