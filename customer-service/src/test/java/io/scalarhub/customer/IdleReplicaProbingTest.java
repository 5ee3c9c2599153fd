package io.scalarhub.customer;

import java.time.Duration;

import io.scalarhub.test.Polling;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica is measured every tick while reads use it and only once per idle interval (here: never within
 * the test) when none do, so an idle suite does not query its replicas four times a second. Reads go by a
 * fresh measurement only: the first read after a quiet spell measures once and is then served by the replica
 * (not by the primary, which may be the server that went down meanwhile: ReplicaLagAndPrimaryOutageTest).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "scalarhub.r2dbc.replica.max-lag=1h", "scalarhub.r2dbc.replica.check-interval=100ms",
				"scalarhub.r2dbc.replica.idle-check-interval=1h" })
class IdleReplicaProbingTest extends ReplicaRoutingTestBase {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_idle"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	TestJwtIssuer issuer() {
		return issuer;
	}

	@Test
	void anIdleAppStopsMeasuringAndMeasuresOnceBeforeTheNextReadGoesToTheReplica() throws InterruptedException {
		create(this.writer);
		Polling.until(Duration.ofSeconds(15), "reads to be served by the replica", () -> {
			status(this.reader, "/v1/customers?size=1");
			return reads("replica") > 0;
		});
		double probesUnderReads = probes();
		Polling.until(Duration.ofSeconds(10), "reads to keep the measuring going", () -> {
			status(this.reader, "/v1/customers?size=1");
			return probes() >= probesUnderReads + 3;
		});

		// quiet: the ticks just after the last read may still measure (at most two); then nothing for the idle
		// interval (an hour). Under reads it would be 15 probes in this window.
		double quietFrom = probes();
		Thread.sleep(1500); // a measuring window (counting what happens in it), not a wait for something
		assertThat(probes()).as("probes during 1.5 s without reads").isLessThanOrEqualTo(quietFrom + 2);

		// the last measurement is now too old to go by: this read waits for one more, then goes to the replica
		double primaryBefore = reads("primary");
		double replicaBefore = reads("replica");
		double probesBefore = probes();
		assertThat(status(this.reader, "/v1/customers?size=1")).isEqualTo(200);
		assertThat(probes()).as("probes for the first read after the quiet spell").isGreaterThan(probesBefore);
		assertThat(reads("replica")).as("the first read after the quiet spell").isEqualTo(replicaBefore + 1);
		assertThat(reads("primary")).isEqualTo(primaryBefore);
	}

	private double probes() {
		return this.meters.get("scalarhub.db.replica.probes").functionCounter().count();
	}

}
