package io.scalarhub.customer.domain;

import java.util.Map;

/** What a client supplies to create a customer, already checked for shape by the API layer. */
public record NewCustomer(String name, String email, String phone, Map<String, String> metadata) {
}
