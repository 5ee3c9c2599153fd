package io.scalarhub.test;

import java.net.URL;
import java.util.List;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import org.springframework.cloud.contract.stubrunner.junit.StubRunnerExtension;
import org.springframework.cloud.contract.stubrunner.spring.StubRunnerProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stubs of the services a caller's test needs, served by WireMock on loopback: built by the contract-stubs
 * module from the contracts each service keeps (and verifies) for its callers, read from the test classpath
 * (nothing to install or download), and only those of the caller's own folder ({@code contracts/(caller)/}):
 * a caller is tested against what it asked for, not against what another caller did.
 */
public final class ContractStubs {

	private ContractStubs() {
	}

	/**
	 * A JUnit extension (register it in a static field) that starts the stubs of {@code services} for
	 * {@code caller}, each on a port of its own: {@code findStubUrl(service)} says where.
	 */
	public static StubRunnerExtension of(String caller, String... services) {
		StubRunnerExtension stubs = new StubRunnerExtension().stubsMode(StubRunnerProperties.StubsMode.CLASSPATH)
			.withStubPerConsumer(true)
			.withConsumerName(caller);
		for (String service : services) {
			stubs.downloadStub("io.scalarhub", service);
		}
		return stubs;
	}

	/**
	 * Asserts that every call the stubs of {@code services} received matched a contract, and forgets the calls.
	 * A call no contract matches gets WireMock's 404, which a client reading a GET takes for "not there": without
	 * this check a client that lost its tenant header would pass the tests of the 404 contracts.
	 */
	public static void assertEveryCallMatchedAContract(StubRunnerExtension stubs, String... services) {
		for (String service : services) {
			URL url = stubs.findStubUrl(service);
			WireMock wireMock = new WireMock(url.getHost(), url.getPort());
			List<LoggedRequest> unmatched = wireMock.findAllUnmatchedRequests();
			wireMock.resetRequests();
			assertThat(unmatched).as("calls to %s that no contract matches (near misses: %s)", service,
					unmatched.isEmpty() ? "none" : wireMock.findNearMissesForAllUnmatchedRequests())
				.isEmpty();
		}
	}

}
