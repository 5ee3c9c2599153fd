package io.scalarhub.subscription.client;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** customer-service's internal API: does the customer exist, is it active? */
@Component
public class CustomerClient {

	private final ServiceClient customers;

	public CustomerClient(ServiceClients clients) {
		this.customers = clients.forService("customer-service");
	}

	/** Empty when there is no such customer. */
	public Mono<CustomerView> customer(UUID id) {
		return this.customers.get(CustomerView.class, "/internal/customers/{id}", id);
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record CustomerView(UUID id, String status) {

		public boolean active() {
			return "ACTIVE".equals(this.status);
		}

	}

}
