package io.scalarhub.platform.client;

/**
 * A downstream call that failed for reasons of the downstream (unreachable, 5xx, too slow): counted by its
 * circuit breaker, and retried when the call is idempotent.
 */
public class DownstreamFailureException extends RuntimeException {

	public DownstreamFailureException(String message, Throwable cause) {
		super(message, cause);
	}

}
