package io.scalarhub.subscription;

import io.scalarhub.subscription.billing.BillingProperties;
import io.scalarhub.subscription.client.ServiceIdentityProperties;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

@SpringBootApplication
@EnableConfigurationProperties({ BillingProperties.class, ServiceIdentityProperties.class })
public class SubscriptionApplication {

	public static void main(String[] args) {
		SpringApplication.run(SubscriptionApplication.class, args);
	}

}
