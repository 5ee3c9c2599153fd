package io.scalarhub.platform.availability;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/** How an instance stops without failing a request: {@link DrainBeforeShutdown}. */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(DrainProperties.class)
public class AvailabilityAutoConfiguration {

	/** Eureka's registry is a {@code ServiceRegistry<EurekaRegistration>}: matched as any registry, of its own registration. */
	@Bean
	@SuppressWarnings("unchecked")
	DrainBeforeShutdown drainBeforeShutdown(ApplicationEventPublisher events, ObjectProvider<ServiceRegistry<?>> registry,
			ObjectProvider<Registration> registration, DrainProperties properties) {
		return new DrainBeforeShutdown(events, (ServiceRegistry<Registration>) registry.getIfAvailable(),
				registration.getIfAvailable(), properties.drainDelay());
	}

}
