package io.scalarhub.account.client;

import java.util.UUID;

import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * What account-service asks customer-service: does a customer exist in the caller's tenant (the tenant goes
 * with the call), and is it active?
 */
@Component
public class CustomerClient {

	private final ServiceClient customers;

	public CustomerClient(ServiceClients clients) {
		this.customers = clients.forService("customer-service");
	}

	/** The customer's status; empty when the tenant has no such customer. */
	public Mono<CustomerStatusView> status(UUID customerId) {
		return this.customers.get(CustomerStatusView.class, "/internal/customers/{id}", customerId);
	}

	public record CustomerStatusView(UUID id, String status) {

		public boolean active() {
			return "ACTIVE".equals(this.status);
		}

	}

}
