package io.scalarhub.platform.money;

/**
 * An amount of money as the public contract writes it: {@code {"amount": 1050, "currency": "EUR"}}, the
 * amount in minor units (cents), never a floating-point number.
 */
public record Money(long amount, String currency) {
}
