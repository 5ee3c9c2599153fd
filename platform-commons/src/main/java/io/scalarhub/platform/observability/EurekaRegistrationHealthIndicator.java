package io.scalarhub.platform.observability;

import java.time.Duration;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo;
import com.netflix.discovery.DiscoveryClient;
import com.netflix.discovery.EurekaClient;
import com.netflix.discovery.shared.Application;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.cloud.util.ProxyUtils;

/**
 * Whether Eureka knows this instance, i.e. whether the gateway and other callers can find it: part of
 * readiness. Eureka's own health indicator cannot serve here, as it reports UP even when it never reached a
 * registry. This one is UP while Eureka acknowledged this instance as UP (its registration, or a heartbeat), or
 * the registry fetched from Eureka listed this instance, within the lease expiration (after which Eureka itself
 * forgets an instance); else DOWN.
 * <p>
 * A registration is known by the info's dirty mark: an instance starts with its info marked dirty, every change
 * marks it again, and Eureka's client clears the mark only once a registration of that info was answered (one
 * that failed or was refused leaves it). It counts from the last marking, which came just before it: never later
 * than it was. Without it, readiness waited for the first heartbeat or the next registry fetch, 4-7 s after Eureka
 * had acknowledged the registration (docs/performance.md, "Start-up").
 */
public class EurekaRegistrationHealthIndicator implements HealthIndicator {

	private final EurekaClient eurekaClient;

	private final ApplicationInfoManager applicationInfoManager;

	public EurekaRegistrationHealthIndicator(EurekaClient eurekaClient, ApplicationInfoManager applicationInfoManager) {
		this.eurekaClient = eurekaClient;
		this.applicationInfoManager = applicationInfoManager;
	}

	@Override
	public Health health() {
		InstanceInfo self = this.applicationInfoManager.getInfo();
		Duration lease = Duration.ofSeconds(this.applicationInfoManager.getEurekaInstanceConfig()
			.getLeaseExpirationDurationInSeconds());
		if (!(ProxyUtils.getTargetObject(this.eurekaClient) instanceof DiscoveryClient client)) {
			return Health.unknown().withDetail("reason", "not a Netflix DiscoveryClient").build();
		}
		long sinceRegistration = sinceRegistration(self, client);
		long sinceHeartbeat = client.getLastSuccessfulHeartbeatTimePeriod();
		long sinceFetch = client.getLastSuccessfulRegistryFetchTimePeriod();
		Application application = client.getApplication(self.getAppName());
		boolean listed = application != null && application.getByInstanceId(self.getInstanceId()) != null;
		boolean registrationAcknowledged = within(sinceRegistration, lease);
		boolean heartbeatAcknowledged = within(sinceHeartbeat, lease);
		boolean listedRecently = listed && within(sinceFetch, lease);
		Health.Builder health = (registrationAcknowledged || heartbeatAcknowledged || listedRecently) ? Health.up()
				: Health.down();
		return health.withDetail("instanceId", self.getInstanceId())
			.withDetail("listedInRegistry", listed)
			.withDetail("msSinceRegistrationAcknowledged", sinceRegistration)
			.withDetail("msSinceHeartbeatAcknowledged", sinceHeartbeat)
			.withDetail("msSinceRegistryFetched", sinceFetch)
			.build();
	}

	/**
	 * Milliseconds since this instance was registered as UP (at most: since its info was last marked dirty), or -1
	 * if that registration has not been acknowledged. The status is read before the mark: a status change sets
	 * both under the info's lock, so an UP seen with a clear mark is what Eureka acknowledged.
	 */
	private static long sinceRegistration(InstanceInfo self, DiscoveryClient client) {
		if (!client.getEurekaClientConfig().shouldRegisterWithEureka()
				|| self.getStatus() != InstanceInfo.InstanceStatus.UP || self.isDirty()) {
			return -1;
		}
		return Math.max(0, System.currentTimeMillis() - self.getLastDirtyTimestamp());
	}

	private static boolean within(long millisAgo, Duration bound) {
		return millisAgo >= 0 && millisAgo < bound.toMillis();
	}

}
