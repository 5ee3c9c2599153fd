package io.scalarhub.platform.observability;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * Spring Security observes nothing: not its filter chain, not an authentication, not an authorization. By
 * default it wraps every filter of its chain in an observation and the chain in two more, a dozen per request
 * on the gateway and again on the service, with their contexts and Reactor operators. Switching those
 * observations off by name ({@code management.observations.enable.spring.security}, as the platform did) only
 * made them no-ops once built: the wrapping stayed on every request (in the gateway's profile). With these
 * settings Spring Security does not wrap at all. The server span, its status and the request log line already say
 * who was refused and why. An app that wants the observations declares its own settings.
 */
@AutoConfiguration
@ConditionalOnClass(SecurityObservationSettings.class)
public class SecurityObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

}
