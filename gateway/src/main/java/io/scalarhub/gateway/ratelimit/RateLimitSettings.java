package io.scalarhub.gateway.ratelimit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * The rate limits in force. Spring Cloud's rebinder does not rebind immutable (record) properties, so this
 * holder binds them again whenever a refresh changes a key under {@link RateLimitProperties#PREFIX}: new
 * limits apply to the next request, without a restart.
 */
public class RateLimitSettings implements ApplicationListener<EnvironmentChangeEvent> {

	private static final Logger log = LoggerFactory.getLogger(RateLimitSettings.class);

	private final Environment environment;

	private volatile RateLimitProperties current;

	public RateLimitSettings(Environment environment, RateLimitProperties initial) {
		this.environment = environment;
		this.current = initial;
	}

	public RateLimitProperties current() {
		return this.current;
	}

	@Override
	public void onApplicationEvent(EnvironmentChangeEvent event) {
		if (event.getKeys().stream().anyMatch((key) -> key.startsWith(RateLimitProperties.PREFIX))) {
			try {
				this.current = Binder.get(this.environment)
					.bindOrCreate(RateLimitProperties.PREFIX, RateLimitProperties.class);
				log.info("Rate limits changed: tiers {}, anonymous {}, when Redis is down {}", this.current.tiers(),
						this.current.anonymous(), this.current.whenRedisDown());
			}
			catch (RuntimeException ex) {
				// a bad edit must not take limiting down: keep what was in force and say why
				log.error("Rate limits not changed: the new configuration is invalid ({})", ex.getMessage());
			}
		}
	}

}
