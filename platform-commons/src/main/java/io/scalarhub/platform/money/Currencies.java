package io.scalarhub.platform.money;

import java.util.Currency;
import java.util.Set;
import java.util.stream.Collectors;

/** ISO 4217 currency codes, as the contract takes them: three upper-case letters of a real currency. */
public final class Currencies {

	private static final Set<String> CODES = Currency.getAvailableCurrencies()
		.stream()
		.map(Currency::getCurrencyCode)
		.collect(Collectors.toUnmodifiableSet());

	/** For {@code @Pattern} on request fields; {@link #isIso4217} then checks it is a real currency. */
	public static final String PATTERN = "[A-Z]{3}";

	private Currencies() {
	}

	public static boolean isIso4217(String code) {
		return code != null && CODES.contains(code);
	}

}
