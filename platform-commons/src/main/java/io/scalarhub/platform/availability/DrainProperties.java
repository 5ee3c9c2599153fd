package io.scalarhub.platform.availability;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code scalarhub.shutdown.*}: how an instance leaves rotation when it is told to stop (docs/configuration.md).
 *
 * @param drainDelay how long an instance keeps serving after it has left the registry and reported itself not
 * ready, before the web server stops taking requests: as long as callers may still pick it from their copy of
 * the registry (the registry's response cache, each caller's fetch interval and load-balancer cache). 0 for an
 * app nobody finds through the registry.
 */
@ConfigurationProperties("scalarhub.shutdown")
public record DrainProperties(@DefaultValue("0s") Duration drainDelay) {
}
