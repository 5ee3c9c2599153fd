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
 * {@code ejectionTime}, then tried again (and ejected twice as long if it still fails). The registry alone takes up to its lease
 * (30 s and more) to forget a killed or cut-off instance; in that window round robin would send every other
 * request there, and a retry could land on it again. Ejection is per caller (the gateway, each service), keyed by
 * address, and never empties a list: when every instance is ejected, all are offered (one may have come back).
 */
public class InstanceEjections {

	private static final Log logger = LogFactory.getLog(InstanceEjections.class);

	/** A repeat ejection doubles, up to 2^3 times the ejection time, as long as no call to it succeeds. */
	private static final int MAX_DOUBLINGS = 3;

	private final Duration ejectionTime;

	/** Instances that failed, until a call to them succeeds: usually none, and then nothing is looked up. */
	private final Map<Address, Ejection> ejections = new ConcurrentHashMap<>();

	public InstanceEjections(Duration ejectionTime) {
		this.ejectionTime = ejectionTime;
	}

	/**
	 * Ejects the instance when the failure says it cannot be reached (its other failures are the request's). An
	 * instance found unreachable again when its ejection ended is ejected twice as long (still cut off, or dead and
	 * not yet dropped by the registry), so that it costs a caller one slowed request per period, not one per 10 s.
	 */
	public void onFailure(ServiceInstance instance, Throwable failure) {
		if (instance == null || !unreachable(failure) || this.ejectionTime.isZero()) {
			return;
		}
		long now = System.nanoTime();
		this.ejections.compute(Address.of(instance), (address, previous) -> {
			if (previous != null && now - previous.until() < 0) {
				return previous; // already ejected: calls that were in flight fail too
			}
			int times = (previous != null) ? Math.min(previous.times() + 1, MAX_DOUBLINGS + 1) : 1;
			Duration duration = this.ejectionTime.multipliedBy(1L << (times - 1));
			logger.warn("Ejected " + instance.getServiceId() + " at " + address + " for " + duration.toMillis() + " ms: "
					+ failure);
			return new Ejection(now + duration.toNanos(), times);
		});
	}

	/** A call the instance answered (any status): it is reachable, and its ejection history is forgotten. */
	public void onSuccess(ServiceInstance instance) {
		if (instance != null && !this.ejections.isEmpty()) {
			this.ejections.remove(Address.of(instance));
		}
	}

	public boolean isEjected(ServiceInstance instance) {
		return ejectedFor(instance).compareTo(Duration.ZERO) > 0;
	}

	/** How much longer the instance stays out of rotation (zero when it is in). */
	public Duration ejectedFor(ServiceInstance instance) {
		Ejection ejection = this.ejections.isEmpty() ? null : this.ejections.get(Address.of(instance));
		return (ejection == null) ? Duration.ZERO
				: Duration.ofNanos(Math.max(0, ejection.until() - System.nanoTime()));
	}

	/** The instances not ejected; all of them when every one is. */
	public List<ServiceInstance> available(List<ServiceInstance> instances) {
		if (this.ejections.isEmpty()) {
			return instances;
		}
		List<ServiceInstance> available = instances.stream().filter((instance) -> !isEjected(instance)).toList();
		return available.isEmpty() ? instances : available;
	}

	/**
	 * A refused connection, a connect timeout (Netty's ConnectTimeoutException is a ConnectException), no route to
	 * the host, or no answer within the call's timeout (the gateway's response timeout, a WebClient's read timeout):
	 * what a dead or cut-off instance does. A slow dependency behind every instance ejects them all, which leaves them all offered.
	 */
	static boolean unreachable(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
					|| cause instanceof TimeoutException || cause instanceof io.netty.handler.timeout.TimeoutException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	private record Address(String host, int port) {

		static Address of(ServiceInstance instance) {
			return new Address(instance.getHost(), instance.getPort());
		}

		@Override
		public String toString() {
			return this.host + ":" + this.port;
		}

	}

	private record Ejection(long until, int times) {
	}

}
