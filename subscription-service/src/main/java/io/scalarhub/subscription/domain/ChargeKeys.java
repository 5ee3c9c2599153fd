package io.scalarhub.subscription.domain;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The ids that make retries safe, derived rather than drawn at random, so that a retry computes the same
 * ones: a subscription's id from the create request (client, Idempotency-Key, body), and the ledger charge
 * of each period from the subscription and the period's number. The ledger posts one charge id at most once.
 */
public final class ChargeKeys {

	private ChargeKeys() {
	}

	public static UUID subscriptionId(String client, String idempotencyKey, UUID customerId, UUID productId,
			UUID accountId) {
		return nameBased("subscription\n" + client + "\n" + idempotencyKey + "\n" + customerId + "\n" + productId + "\n"
				+ accountId);
	}

	/** The ledger charge of period {@code periodNumber} (1 = the first, charged when subscribing). */
	public static UUID charge(UUID subscriptionId, int periodNumber) {
		return nameBased("subscription-charge\n" + subscriptionId + "\n" + periodNumber);
	}

	private static UUID nameBased(String name) {
		return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
	}

}
