package io.scalarhub.test;

import org.testcontainers.containers.GenericContainer;

/** A real Redis for tests: a container where Docker answers, else the local server (never an embedded fake). */
public final class TestRedis {

	private static Address address;

	private TestRedis() {
	}

	public static synchronized Address address() {
		if (address == null) {
			if (TestEnvironment.dockerAvailable()) {
				GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
				redis.start();
				address = new Address(redis.getHost(), redis.getMappedPort(6379));
			}
			else {
				address = new Address(TestEnvironment.get("SCALARHUB_REDIS_HOST", "127.0.0.1"),
						Integer.parseInt(TestEnvironment.get("SCALARHUB_REDIS_PORT", "6379")));
			}
		}
		return address;
	}

	public record Address(String host, int port) {
	}

}
