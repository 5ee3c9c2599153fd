package io.scalarhub.subscription.api;

import java.util.UUID;

import io.scalarhub.subscription.domain.SubscriptionService;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What other services ask subscription-service (never routed by the gateway). */
@RestController
class InternalSubscriptionController {

	private final SubscriptionService subscriptions;

	InternalSubscriptionController(SubscriptionService subscriptions) {
		this.subscriptions = subscriptions;
	}

	/** customer-service asks this before closing a customer: subscriptions not canceled (ACTIVE or PAST_DUE). */
	@GetMapping(path = "/internal/subscriptions/active", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<ActiveSubscriptions> active(@RequestParam UUID customerId) {
		return this.subscriptions.notCanceled(customerId).map((count) -> new ActiveSubscriptions(customerId, count));
	}

	record ActiveSubscriptions(UUID customerId, long count) {
	}

}
