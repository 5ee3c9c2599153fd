package io.scalarhub.test;

import org.testcontainers.DockerClientFactory;

/** Where the tests' real servers come from, decided once per JVM. */
public final class TestEnvironment {

	private static Boolean dockerAvailable;

	private TestEnvironment() {
	}

	/**
	 * Whether a Docker engine answers. Where it does, Testcontainers provides the servers; where it does not
	 * (this project's build machines), the same tests run against the local servers instead of being skipped.
	 */
	public static synchronized boolean dockerAvailable() {
		if (dockerAvailable == null) {
			dockerAvailable = !"false".equals(System.getenv("SCALARHUB_TESTCONTAINERS"))
					&& DockerClientFactory.instance().isDockerAvailable();
		}
		return dockerAvailable;
	}

	static String get(String name, String defaultValue) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? defaultValue : value;
	}

}
