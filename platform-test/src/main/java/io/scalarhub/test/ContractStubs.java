package io.scalarhub.test;

import org.springframework.cloud.contract.stubrunner.junit.StubRunnerExtension;
import org.springframework.cloud.contract.stubrunner.spring.StubRunnerProperties;

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

}
