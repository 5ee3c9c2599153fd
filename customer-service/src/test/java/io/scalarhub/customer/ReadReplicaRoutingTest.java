package io.scalarhub.customer;

import java.time.Duration;

import io.scalarhub.test.LocalCluster;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read/write routing against the real primary and its real streaming replica. Pausing WAL replay on the
 * replica makes the routing visible: what the replica serves is stale, what the primary serves is not.
 * The lag bound is set high here so that a paused replica still counts as usable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.r2dbc.replica.max-lag=1h", "scalarhub.r2dbc.replica.check-interval=100ms",
				"scalarhub.r2dbc.replica.retry-after=300ms" })
class ReadReplicaRoutingTest extends ReplicaRoutingTestBase {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_replica"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	TestJwtIssuer issuer() {
		return issuer;
	}

	@BeforeEach
	void replicaInUse() {
		double before = reads("replica");
		Polling.until(Duration.ofSeconds(15), "reads to be served by the replica", () -> {
			status(this.reader, "/v1/customers?size=1");
			return reads("replica") > before;
		});
	}

	@AfterEach
	void replicaBackToNormal() {
		LocalCluster.start("replica");
		LocalCluster.resumeReplay();
	}

	@Test
	void readsAreServedByTheReplicaAndWritesByThePrimary() {
		LocalCluster.pauseReplay();
		String location = createdLocation(this.writer);
		double replicaReads = reads("replica");
		// the write reached the primary; the replica, not replaying, has not seen it
		assertThat(status(this.reader, location)).isEqualTo(404);
		assertThat(reads("replica")).isGreaterThan(replicaReads);
		LocalCluster.resumeReplay();
		Polling.until(Duration.ofSeconds(10), "the replica to replay the write",
				() -> status(this.reader, location) == 200);
	}

	@Test
	void aClientReadsItsOwnWriteWhileAnotherMayStillSeeTheReplicasPast() {
		LocalCluster.pauseReplay();
		EntityExchangeResult<byte[]> created = create(this.writer);
		String location = created.getResponseHeaders().getLocation().getPath();
		String token = created.getResponseHeaders().getFirst("X-Consistency-Token");
		assertThat(token).matches("[0-9A-F]+/[0-9A-F]+");

		// the writer, without sending anything special, sees its write (served by the primary)
		double primaryReads = reads("primary");
		assertThat(status(this.writer, location)).isEqualTo(200);
		assertThat(reads("primary")).isGreaterThan(primaryReads);
		// another client presenting the write's token sees it too
		this.reader.get().uri(location).header("X-Consistency-Token", token).exchange().expectStatus().isOk();
		// another client's plain read may be stale: here it is, served by the paused replica
		assertThat(status(this.reader, location)).isEqualTo(404);
	}

	@Test
	void aMalformedConsistencyTokenIs400() {
		this.reader.get()
			.uri("/v1/customers")
			.header("X-Consistency-Token", "not-a-position")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("X-Consistency-Token");
	}

	@Test
	void readsKeepSucceedingWhenTheReplicaStopsAndReturnToItWhenItIsBack() {
		create(this.writer);
		LocalCluster.stop("replica");
		double primaryReads = reads("primary");
		for (int i = 0; i < 20; i++) {
			assertThat(status(this.reader, "/v1/customers?size=5")).as("read %d with the replica down", i)
				.isEqualTo(200);
		}
		assertThat(reads("primary")).isGreaterThanOrEqualTo(primaryReads + 20);
		assertThat(this.meters.get("resilience4j.circuitbreaker.state")
			.tag("name", "read-replica")
			.tag("state", "closed")
			.gauge()
			.value()).isZero();

		LocalCluster.start("replica");
		double replicaReads = reads("replica");
		Polling.until(Duration.ofSeconds(15), "reads to return to the replica", () -> {
			assertThat(status(this.reader, "/v1/customers?size=5")).isEqualTo(200);
			return reads("replica") > replicaReads;
		});
	}

}
