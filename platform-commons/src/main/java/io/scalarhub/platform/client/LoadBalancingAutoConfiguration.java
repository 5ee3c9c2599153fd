package io.scalarhub.platform.client;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.context.annotation.Bean;

/**
 * Load balancing for the gateway's {@code lb://} routes and the services' calls to each other: Spring Cloud
 * LoadBalancer's round robin over the registry, with unreachable instances ejected ({@link InstanceEjections}).
 */
@AutoConfiguration
@ConditionalOnClass(ServiceInstanceListSupplier.class)
@EnableConfigurationProperties(LoadBalancingProperties.class)
@LoadBalancerClients(defaultConfiguration = EjectingLoadBalancerConfiguration.class)
public class LoadBalancingAutoConfiguration {

	@Bean
	InstanceEjections instanceEjections(LoadBalancingProperties properties) {
		return new InstanceEjections(properties.ejectionTime());
	}

	@Bean
	EjectOnConnectFailure ejectOnConnectFailure(InstanceEjections ejections) {
		return new EjectOnConnectFailure(ejections);
	}

}
