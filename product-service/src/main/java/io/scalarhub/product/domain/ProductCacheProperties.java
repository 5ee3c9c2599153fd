package io.scalarhub.product.domain;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code scalarhub.products.cache}: the in-process cache of hot reads.
 *
 * @param timeToLive how long an entry is served from memory; the bound on how stale another instance's read
 * can be after a write
 * @param maximumSize the most products plus list pages kept per cache
 */
@ConfigurationProperties("scalarhub.products.cache")
public record ProductCacheProperties(@DefaultValue("5s") Duration timeToLive,
		@DefaultValue("10000") long maximumSize) {
}
