package io.scalarhub.platform.client;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Passive outlier ejection, as a service mesh does it: an instance that refused a connection, could not be
 * connected to in time, or did not answer within the call's timeout is left out of load balancing for
 * {@code ejectionTime}, then tried again. The registry alone takes up to its lease
 * (30 s and more) to forget a killed or cut-off instance; in that window round robin would send every other
 * request there, and a retry could land on it again. Ejection is per caller (the gateway, each service), keyed by
 * address, and never empties a list: when every instance is ejected, all are offered (one may have come back).
 */
public class InstanceEjections {

	private static final Log logger = LogFactory.getLog(InstanceEjections.class);

	private final Duration ejectionTime;

	/** host:port → System.nanoTime() until which it is ejected. */
	private final Map<String, Long> ejectedUntil = new ConcurrentHashMap<>();

	public InstanceEjections(Duration ejectionTime) {
		this.ejectionTime = ejectionTime;
	}

	/** Ejects the instance when the failure says it cannot be reached (its other failures are the request's). */
	public void onFailure(ServiceInstance instance, Throwable failure) {
		if (instance != null && unreachable(failure) && !this.ejectionTime.isZero()) {
			String address = address(instance);
			if (this.ejectedUntil.put(address, System.nanoTime() + this.ejectionTime.toNanos()) == null) {
				logger.warn("Ejected " + instance.getServiceId() + " at " + address + " for "
						+ this.ejectionTime.toMillis() + " ms: " + failure);
			}
		}
	}

	public boolean isEjected(ServiceInstance instance) {
		Long until = this.ejectedUntil.get(address(instance));
		if (until == null) {
			return false;
		}
		if (System.nanoTime() - until < 0) {
			return true;
		}
		this.ejectedUntil.remove(address(instance), until);
		return false;
	}

	/** The instances not ejected; all of them when every one is. */
	public List<ServiceInstance> available(List<ServiceInstance> instances) {
		List<ServiceInstance> available = instances.stream().filter((instance) -> !isEjected(instance)).toList();
		return available.isEmpty() ? instances : available;
	}

	/**
	 * A refused connection, a connect timeout (Netty's ConnectTimeoutException is a ConnectException), no route to
	 * the host, or no answer within the call's timeout (the gateway's response timeout): what a dead or cut-off
	 * instance does. A slow dependency behind every instance ejects them all, which leaves them all offered.
	 */
	static boolean unreachable(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
					|| cause instanceof TimeoutException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	private static String address(ServiceInstance instance) {
		return instance.getHost() + ":" + instance.getPort();
	}

}
