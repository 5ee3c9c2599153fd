package io.scalarhub.subscription.domain;

public enum SubscriptionStatus {

	ACTIVE, PAST_DUE, CANCELED

}
