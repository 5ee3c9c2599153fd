package io.scalarhub.platform.idempotency;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param retention how long a key is remembered: the same key within it replays, after it runs anew. At
 * least {@link #MINIMUM_RETENTION}: the purge job may only delete records older than that (R__idempotency_key.sql)
 * @param purgeInterval how often records older than the retention are deleted
 */
@ConfigurationProperties("scalarhub.idempotency")
public record IdempotencyProperties(@DefaultValue("24h") Duration retention, @DefaultValue("15m") Duration purgeInterval) {

	public static final Duration MINIMUM_RETENTION = Duration.ofHours(1);

	public IdempotencyProperties {
		if (retention.compareTo(MINIMUM_RETENTION) < 0) {
			throw new IllegalArgumentException("scalarhub.idempotency.retention must be at least " + MINIMUM_RETENTION
					+ " (the purge job deletes no record younger than that), was " + retention);
		}
	}

}
