package io.scalarhub.auth.clients;

import java.util.Locale;

/** A client's rate-limit tier: the gateway sets the client's request budget from it. */
public enum Tier {

	FREE, STANDARD, ENTERPRISE;

	/** The value of the access token's {@code tier} claim: {@code free}, {@code standard} or {@code enterprise}. */
	public String claimValue() {
		return name().toLowerCase(Locale.ROOT);
	}

}
