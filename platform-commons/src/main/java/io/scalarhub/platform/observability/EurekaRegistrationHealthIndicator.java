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
 * registry. This one is UP while Eureka acknowledged a heartbeat, or the registry fetched from Eureka listed
 * this instance, within the lease expiration (after which Eureka itself forgets an instance); else DOWN.
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
		long sinceHeartbeat = client.getLastSuccessfulHeartbeatTimePeriod();
		long sinceFetch = client.getLastSuccessfulRegistryFetchTimePeriod();
		Application application = client.getApplication(self.getAppName());
		boolean listed = application != null && application.getByInstanceId(self.getInstanceId()) != null;
		boolean heartbeatAcknowledged = within(sinceHeartbeat, lease);
		boolean listedRecently = listed && within(sinceFetch, lease);
		Health.Builder health = (heartbeatAcknowledged || listedRecently) ? Health.up() : Health.down();
		return health.withDetail("instanceId", self.getInstanceId())
			.withDetail("listedInRegistry", listed)
			.withDetail("msSinceHeartbeatAcknowledged", sinceHeartbeat)
			.withDetail("msSinceRegistryFetched", sinceFetch)
			.build();
	}

	private static boolean within(long millisAgo, Duration bound) {
		return millisAgo >= 0 && millisAgo < bound.toMillis();
	}

}
