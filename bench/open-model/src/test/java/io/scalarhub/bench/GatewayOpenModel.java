package io.scalarhub.bench;

import java.time.Duration;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * GET /v1/customers/{id} through the gateway at a constant arrival rate: each virtual user sends one request, a new
 * one arrives every 1/rate seconds however long the earlier ones take. Connections are shared and kept alive, as a
 * consumer's HTTP client pool would. Set by bench/open-model.sh: bench.url, bench.token, bench.ids (a file with a
 * customer id a line, under the header "id"), bench.rate (requests per second), bench.seconds; bench.ramp-seconds
 * (30) of arrivals rising to the rate first: the load generator's own JVM starts on the same two cores as the suite,
 * and at the full rate from its first second it starved them (a burst of new connections, the breaker open for 5 s).
 */
public class GatewayOpenModel extends Simulation {

	private final String url = System.getProperty("bench.url");

	private final String token = System.getProperty("bench.token");

	private final double rate = Double.parseDouble(System.getProperty("bench.rate"));

	private final Duration duration = Duration.ofSeconds(Long.parseLong(System.getProperty("bench.seconds")));

	private final Duration ramp = Duration.ofSeconds(Long.parseLong(System.getProperty("bench.ramp-seconds", "30")));

	private final HttpProtocolBuilder protocol = http.baseUrl(this.url)
		.header("Authorization", "Bearer " + this.token)
		.shareConnections()
		.disableCaching();

	private final ScenarioBuilder reads = scenario("GET /v1/customers/{id}")
		.feed(csv(System.getProperty("bench.ids")).circular())
		.exec(http("get customer").get("/v1/customers/#{id}").check(status().is(200)));

	{
		setUp(this.reads.injectOpen(rampUsersPerSec(1).to(this.rate).during(this.ramp),
				constantUsersPerSec(this.rate).during(this.duration)))
			.protocols(this.protocol);
	}

}
