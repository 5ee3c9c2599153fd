package io.scalarhub.platform.client;

import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.DelegatingServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/**
 * The registry's instances less those {@link InstanceEjections} holds out. It sits outside the cache, so that an
 * ejection counts from the next pick, not from the next cache refresh.
 */
public class EjectingServiceInstanceListSupplier extends DelegatingServiceInstanceListSupplier {

	private final InstanceEjections ejections;

	public EjectingServiceInstanceListSupplier(ServiceInstanceListSupplier delegate, InstanceEjections ejections) {
		super(delegate);
		this.ejections = ejections;
	}

	@Override
	public Flux<List<ServiceInstance>> get() {
		return this.delegate.get().map(this.ejections::available);
	}

}
