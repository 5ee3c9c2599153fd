package io.scalarhub.platform.client;

import java.util.List;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.cloud.client.loadbalancer.reactive.ReactorLoadBalancerExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Hands out WebClient builders whose {@code http://<service-name>/...} URLs are resolved through Eureka.
 * Kept out of the bean graph as a {@code WebClient.Builder} on purpose: a load-balanced builder bean would
 * also be injected where a plain one is meant.
 */
public class LoadBalancedWebClients {

	private final ReactorLoadBalancerExchangeFilterFunction loadBalancer;

	private final WebClient.Builder prototype;

	public LoadBalancedWebClients(ReactiveLoadBalancer.Factory<ServiceInstance> loadBalancerFactory,
			WebClient.Builder prototype) {
		this.loadBalancer = new ReactorLoadBalancerExchangeFilterFunction(loadBalancerFactory, List.of());
		this.prototype = prototype;
	}

	public WebClient.Builder builder() {
		return this.prototype.clone().filter(this.loadBalancer);
	}

}
