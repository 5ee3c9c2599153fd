package io.scalarhub.platform.access;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may read an app's management port beyond its probes: health details, Prometheus metrics and any other
 * exposed endpoint. The probes ({@code /actuator/health}, {@code /liveness}, {@code /readiness}) answer
 * everyone, with a status and nothing else.
 *
 * @param username the operator's (or Prometheus') user name
 * @param password its password, from the environment ({@code SCALARHUB_MANAGEMENT_PASSWORD}); none: nobody
 * gets past the probes
 */
@ConfigurationProperties("scalarhub.management")
public record ManagementAccessProperties(@DefaultValue("scalarhub-ops") String username, @Nullable String password) {

	public boolean hasPassword() {
		return this.password != null && !this.password.isEmpty();
	}

}
