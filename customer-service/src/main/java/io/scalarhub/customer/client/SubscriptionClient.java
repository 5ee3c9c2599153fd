package io.scalarhub.customer.client;

import java.util.UUID;

import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** What customer-service asks subscription-service: does a customer still have subscriptions that are not canceled? */
@Component
public class SubscriptionClient {

	private final ServiceClient subscriptions;

	public SubscriptionClient(ServiceClients clients) {
		this.subscriptions = clients.forService("subscription-service");
	}

	/** Errors with ServiceUnavailableException (503) when subscription-service cannot be asked: never a guess. */
	public Mono<Long> activeSubscriptions(UUID customerId) {
		return this.subscriptions
			.get(ActiveSubscriptions.class, "/internal/subscriptions/active?customerId={id}", customerId)
			.map(ActiveSubscriptions::count)
			.defaultIfEmpty(0L);
	}

	record ActiveSubscriptions(UUID customerId, long count) {
	}

}
