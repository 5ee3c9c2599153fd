package io.scalarhub.platform.client;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.ResponseData;

/**
 * Tells {@link InstanceEjections} how every call the load balancer routed ended: the gateway's routes and the
 * services' load-balanced WebClients both report through this hook, a failure before any retry picks again.
 */
public class EjectOnConnectFailure implements LoadBalancerLifecycle<RequestDataContext, ResponseData, ServiceInstance> {

	private final InstanceEjections ejections;

	public EjectOnConnectFailure(InstanceEjections ejections) {
		this.ejections = ejections;
	}

	@Override
	public boolean supports(Class requestContextClass, Class responseClass, Class serverTypeClass) {
		return RequestDataContext.class.isAssignableFrom(requestContextClass)
				&& ServiceInstance.class.isAssignableFrom(serverTypeClass);
	}

	@Override
	public void onStart(Request<RequestDataContext> request) {
	}

	@Override
	public void onStartRequest(Request<RequestDataContext> request, Response<ServiceInstance> lbResponse) {
	}

	@Override
	public void onComplete(CompletionContext<ResponseData, ServiceInstance, RequestDataContext> completionContext) {
		if (completionContext.getLoadBalancerResponse() == null) {
			return;
		}
		ServiceInstance instance = completionContext.getLoadBalancerResponse().getServer();
		if (completionContext.status() == CompletionContext.Status.FAILED) {
			this.ejections.onFailure(instance, completionContext.getThrowable());
		}
		else if (completionContext.status() == CompletionContext.Status.SUCCESS) {
			this.ejections.onSuccess(instance);
		}
	}

}
