package io.scalarhub.customer.api;

import java.util.UUID;

import io.scalarhub.customer.domain.CustomerService;
import io.scalarhub.customer.domain.CustomerStatus;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** What other services ask customer-service (never routed by the gateway). */
@RestController
class InternalCustomerController {

	private final CustomerService customers;

	InternalCustomerController(CustomerService customers) {
		this.customers = customers;
	}

	/** account-service asks this before opening an account: does the customer exist, is it active? */
	@GetMapping(path = "/internal/customers/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<CustomerStatusView> status(@PathVariable UUID id) {
		return this.customers.getForUpdateCheck(id).map((customer) -> new CustomerStatusView(customer.id(), customer.status()));
	}

	record CustomerStatusView(UUID id, CustomerStatus status) {
	}

}
