package io.scalarhub.customer.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A customer of an API client. {@code version} grows by one with every change and is the resource's ETag.
 */
public record Customer(UUID id, String name, String email, String phone, Map<String, String> metadata,
		CustomerStatus status, long version, Instant createdAt, Instant updatedAt) {

	public Customer {
		metadata = Map.copyOf(metadata);
	}

	public String etag() {
		return "\"" + this.version + "\"";
	}

	public boolean isClosed() {
		return this.status == CustomerStatus.CLOSED;
	}

}
