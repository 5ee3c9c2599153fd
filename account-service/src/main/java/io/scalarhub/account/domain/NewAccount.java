package io.scalarhub.account.domain;

import java.util.UUID;

public record NewAccount(UUID customerId, String currency, String name) {
}
