package io.scalarhub.platform.client;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code scalarhub.load-balancing.*} (docs/configuration.md).
 *
 * @param ejectionTime how long an instance that could not be connected to is left out of load balancing
 * ({@link InstanceEjections}); 0 turns ejection off
 */
@ConfigurationProperties("scalarhub.load-balancing")
public record LoadBalancingProperties(@DefaultValue("10s") Duration ejectionTime) {
}
