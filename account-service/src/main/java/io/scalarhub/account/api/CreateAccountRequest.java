package io.scalarhub.account.api;

import java.util.UUID;

import io.scalarhub.account.domain.NewAccount;
import io.scalarhub.platform.money.Currencies;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/accounts}. */
public record CreateAccountRequest(@NotNull UUID customerId,
		@NotNull @Pattern(regexp = Currencies.PATTERN, message = "must be an ISO 4217 code in upper case") String currency,
		@Size(min = 1, max = 200) String name) {

	NewAccount toNewAccount() {
		return new NewAccount(this.customerId, this.currency, this.name);
	}

}
