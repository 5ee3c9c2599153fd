package io.scalarhub.platform.client;

import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Every load-balanced client's instance list (a child context per service, as Spring Cloud LoadBalancer makes
 * them): Spring's default, registry plus cache, with {@link EjectingServiceInstanceListSupplier} around it. Not
 * a {@code @Configuration}: it is only ever read as the load balancer's default configuration.
 */
public class EjectingLoadBalancerConfiguration {

	@Bean
	ServiceInstanceListSupplier ejectingServiceInstanceListSupplier(ConfigurableApplicationContext context,
			InstanceEjections ejections) {
		return new EjectingServiceInstanceListSupplier(
				ServiceInstanceListSupplier.builder().withDiscoveryClient().withCaching().build(context), ejections);
	}

}
