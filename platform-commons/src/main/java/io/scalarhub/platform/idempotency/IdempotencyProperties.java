package io.scalarhub.platform.idempotency;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param retention how long a key is remembered: the same key within it replays, after it runs anew
 * @param purgeInterval how often records older than the retention are deleted
 */
@ConfigurationProperties("scalarhub.idempotency")
public record IdempotencyProperties(@DefaultValue("24h") Duration retention, @DefaultValue("15m") Duration purgeInterval) {
}
