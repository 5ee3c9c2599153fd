package io.scalarhub.auth.config;

import io.scalarhub.auth.keys.SigningKeyProperties;
import io.scalarhub.auth.keys.SigningKeySet;
import io.scalarhub.auth.tokens.ExpiredAuthorizationPurge;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * What every instance does on its own schedule, at the intervals of the typed configuration (so that the interval
 * the properties validate is the one that runs, with one default): reading the signing key set again (rotating
 * when due), and deleting the stored authorizations of expired tokens. Each waits one interval before its first
 * run: the key set was read at start, and a new instance has nothing expired to delete.
 */
class InstanceSchedules implements SchedulingConfigurer {

	private final SigningKeySet keys;

	private final SigningKeyProperties keyProperties;

	private final ExpiredAuthorizationPurge purge;

	private final AuthServerProperties properties;

	InstanceSchedules(SigningKeySet keys, SigningKeyProperties keyProperties, ExpiredAuthorizationPurge purge,
			AuthServerProperties properties) {
		this.keys = keys;
		this.keyProperties = keyProperties;
		this.purge = purge;
		this.properties = properties;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		registrar.addFixedDelayTask(new FixedDelayTask(this.keys::refresh, this.keyProperties.refreshInterval(),
				this.keyProperties.refreshInterval()));
		registrar.addFixedDelayTask(new FixedDelayTask(this.purge::purge, this.properties.authorizationPurgeInterval(),
				this.properties.authorizationPurgeInterval()));
	}

}
