package io.scalarhub.platform.client;

/**
 * A downstream service could not be used: its circuit is open, its bulkhead full, or it failed or timed
 * out on every attempt. The API layer answers 503 with {@code Retry-After} ({@link ServiceClientProblemMapper})
 * unless the caller degrades gracefully instead.
 */
public class ServiceUnavailableException extends RuntimeException {

	private final String service;

	private final int retryAfterSeconds;

	public ServiceUnavailableException(String service, int retryAfterSeconds, Throwable cause) {
		super(service + " is unavailable", cause);
		this.service = service;
		this.retryAfterSeconds = retryAfterSeconds;
	}

	public String service() {
		return this.service;
	}

	public int retryAfterSeconds() {
		return this.retryAfterSeconds;
	}

}
