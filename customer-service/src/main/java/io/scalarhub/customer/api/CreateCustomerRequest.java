package io.scalarhub.customer.api;

import java.util.Map;

import io.scalarhub.customer.domain.CustomerRules;
import io.scalarhub.customer.domain.NewCustomer;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/customers}. */
public record CreateCustomerRequest(@NotBlank @Size(max = CustomerRules.NAME_MAX) String name,
		@NotBlank @Email @Size(max = CustomerRules.EMAIL_MAX) String email,
		@Pattern(regexp = CustomerRules.PHONE_PATTERN, message = "must be a phone number") String phone,
		Map<String, String> metadata) {

	NewCustomer toNewCustomer() {
		return new NewCustomer(this.name, this.email, this.phone, (this.metadata != null) ? this.metadata : Map.of());
	}

}
