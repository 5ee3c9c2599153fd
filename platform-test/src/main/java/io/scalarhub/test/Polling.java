package io.scalarhub.test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it until a deadline: how tests synchronise, never by sleeping blindly. */
public final class Polling {

	private static final Duration INTERVAL = Duration.ofMillis(50);

	private Polling() {
	}

	public static void until(Duration timeout, String what, BooleanSupplier condition) {
		until(timeout, INTERVAL, what, condition);
	}

	/** With a longer interval, for conditions whose check costs something (a rate-limited request, say). */
	public static void until(Duration timeout, Duration interval, String what, BooleanSupplier condition) {
		Instant deadline = Instant.now().plus(timeout);
		while (!condition.getAsBoolean()) {
			if (Instant.now().isAfter(deadline)) {
				throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what);
			}
			LockSupport.parkNanos(interval.toNanos());
		}
	}

}
