package io.scalarhub.customer.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.scalarhub.customer.domain.Customer;
import io.scalarhub.customer.domain.CustomerStatus;

/** A customer as the public API shows it. */
public record CustomerResponse(UUID id, String name, String email, String phone, Map<String, String> metadata,
		CustomerStatus status, Instant createdAt, Instant updatedAt) {

	static CustomerResponse of(Customer customer) {
		return new CustomerResponse(customer.id(), customer.name(), customer.email(), customer.phone(),
				customer.metadata(), customer.status(), customer.createdAt(), customer.updatedAt());
	}

}
