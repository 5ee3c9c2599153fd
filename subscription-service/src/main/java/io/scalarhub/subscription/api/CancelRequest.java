package io.scalarhub.subscription.api;

/** Body of {@code POST /v1/subscriptions/{id}/cancel}; without it (or without the field) the cancel is immediate. */
public record CancelRequest(Boolean atPeriodEnd) {

	boolean atEnd() {
		return Boolean.TRUE.equals(this.atPeriodEnd);
	}

}
