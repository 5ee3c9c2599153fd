package io.scalarhub.subscription.domain;

import java.time.Instant;
import java.time.ZoneOffset;

/** How often a recurring product is charged; periods are calendar months or years in UTC. */
public enum BillingInterval {

	MONTH, YEAR;

	public Instant after(Instant start) {
		return switch (this) {
			case MONTH -> start.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant();
			case YEAR -> start.atOffset(ZoneOffset.UTC).plusYears(1).toInstant();
		};
	}

}
