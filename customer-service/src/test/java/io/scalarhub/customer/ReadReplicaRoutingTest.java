package io.scalarhub.customer;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.scalarhub.test.LocalCluster;
import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read/write routing against the real primary and its real streaming replica. Pausing WAL replay on the
 * replica makes the routing visible: what the replica serves is stale, what the primary serves is not.
 * The lag bound is set high here so that a paused replica still counts as usable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.r2dbc.replica.max-lag=1h", "scalarhub.r2dbc.replica.check-interval=100ms",
				"scalarhub.r2dbc.replica.retry-after=300ms" })
class ReadReplicaRoutingTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_replica"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	ReplicaTestSupport support;

	WebTestClient writer;

	WebTestClient reader;

	@BeforeEach
	void replicaInUse() {
		this.support = new ReplicaTestSupport(issuer, this.port, this.meters);
		this.writer = this.support.client("writer");
		this.reader = this.support.client("reader");
		double before = this.support.reads("replica");
		Polling.until(Duration.ofSeconds(15), "reads to be served by the replica", () -> {
			this.support.status(this.reader, "/v1/customers?size=1");
			return this.support.reads("replica") > before;
		});
	}

	@AfterEach
	void replicaBackToNormal() {
		LocalCluster.start("replica");
		TestPostgres.onReplicaAsSuperuser("SELECT pg_wal_replay_resume()");
	}

	@Test
	void readsAreServedByTheReplicaAndWritesByThePrimary() {
		TestPostgres.onReplicaAsSuperuser("SELECT pg_wal_replay_pause()");
		String location = this.support.create(this.writer).getResponseHeaders().getLocation().getPath();
		double replicaReads = this.support.reads("replica");
		// the write reached the primary; the replica, not replaying, has not seen it
		assertThat(this.support.status(this.reader, location)).isEqualTo(404);
		assertThat(this.support.reads("replica")).isGreaterThan(replicaReads);
		TestPostgres.onReplicaAsSuperuser("SELECT pg_wal_replay_resume()");
		Polling.until(Duration.ofSeconds(10), "the replica to replay the write",
				() -> this.support.status(this.reader, location) == 200);
	}

	@Test
	void aClientReadsItsOwnWriteWhileAnotherMayStillSeeTheReplicasPast() {
		TestPostgres.onReplicaAsSuperuser("SELECT pg_wal_replay_pause()");
		EntityExchangeResult<byte[]> created = this.support.create(this.writer);
		String location = created.getResponseHeaders().getLocation().getPath();
		String token = created.getResponseHeaders().getFirst("X-Consistency-Token");
		assertThat(token).matches("[0-9A-F]+/[0-9A-F]+");

		// the writer, without sending anything special, sees its write (served by the primary)
		double primaryReads = this.support.reads("primary");
		assertThat(this.support.status(this.writer, location)).isEqualTo(200);
		assertThat(this.support.reads("primary")).isGreaterThan(primaryReads);
		// another client presenting the write's token sees it too
		this.reader.get().uri(location).header("X-Consistency-Token", token).exchange().expectStatus().isOk();
		// another client's plain read may be stale: here it is, served by the paused replica
		assertThat(this.support.status(this.reader, location)).isEqualTo(404);
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
		this.support.create(this.writer);
		LocalCluster.stop("replica");
		double primaryReads = this.support.reads("primary");
		for (int i = 0; i < 20; i++) {
			assertThat(this.support.status(this.reader, "/v1/customers?size=5")).as("read %d with the replica down", i)
				.isEqualTo(200);
		}
		assertThat(this.support.reads("primary")).isGreaterThanOrEqualTo(primaryReads + 20);
		assertThat(this.meters.get("resilience4j.circuitbreaker.state")
			.tag("name", "read-replica")
			.tag("state", "closed")
			.gauge()
			.value()).isZero();

		LocalCluster.start("replica");
		double replicaReads = this.support.reads("replica");
		Polling.until(Duration.ofSeconds(15), "reads to return to the replica", () -> {
			assertThat(this.support.status(this.reader, "/v1/customers?size=5")).isEqualTo(200);
			return this.support.reads("replica") > replicaReads;
		});
	}

}
