package io.scalarhub.platform.observability;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.discovery.EurekaClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.cloud.netflix.eureka.EurekaClientAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Health for Kubernetes-style probes: {@code eurekaRegistration}, a member of the readiness group
 * (scalarhub-platform-defaults.yml), in apps that register in Eureka.
 */
@AutoConfiguration(after = EurekaClientAutoConfiguration.class)
@ConditionalOnClass(EurekaClient.class)
public class ObservabilityAutoConfiguration {

	@Bean
	@ConditionalOnBean({ EurekaClient.class, ApplicationInfoManager.class })
	EurekaRegistrationHealthIndicator eurekaRegistrationHealthIndicator(EurekaClient eurekaClient,
			ApplicationInfoManager applicationInfoManager) {
		return new EurekaRegistrationHealthIndicator(eurekaClient, applicationInfoManager);
	}

}
