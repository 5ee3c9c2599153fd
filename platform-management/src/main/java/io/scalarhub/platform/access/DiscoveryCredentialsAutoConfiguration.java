package io.scalarhub.platform.access;

import java.util.List;
import java.util.Set;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.netflix.eureka.TimeoutProperties;
import org.springframework.cloud.netflix.eureka.config.DiscoveryClientOptionalArgsConfiguration;
import org.springframework.cloud.netflix.eureka.http.DefaultEurekaClientHttpRequestFactorySupplier;
import org.springframework.cloud.netflix.eureka.http.EurekaClientHttpRequestFactorySupplier;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.InterceptingClientHttpRequestFactory;
import org.springframework.http.client.support.BasicAuthenticationInterceptor;

/**
 * Every Eureka client presents {@link DiscoveryCredentials} to the registry, as an {@code Authorization} header
 * added to Eureka's own HTTP transport: credentials in the {@code defaultZone} URL would work too, but Eureka's
 * client logs that URL whenever the registry cannot be reached.
 */
@AutoConfiguration(before = DiscoveryClientOptionalArgsConfiguration.class)
@ConditionalOnClass(EurekaClientHttpRequestFactorySupplier.class)
@EnableConfigurationProperties(DiscoveryCredentials.class)
public class DiscoveryCredentialsAutoConfiguration {

	@Bean
	EurekaClientHttpRequestFactorySupplier credentialedEurekaClientHttpRequestFactorySupplier(
			ObjectProvider<TimeoutProperties> timeouts,
			Set<EurekaClientHttpRequestFactorySupplier.RequestConfigCustomizer> customizers,
			DiscoveryCredentials credentials) {
		DefaultEurekaClientHttpRequestFactorySupplier defaults = new DefaultEurekaClientHttpRequestFactorySupplier(
				timeouts.getIfAvailable(TimeoutProperties::new), customizers);
		if (!credentials.hasPassword()) {
			return defaults;
		}
		BasicAuthenticationInterceptor authorization = new BasicAuthenticationInterceptor(credentials.username(),
				credentials.password());
		return (sslContext, hostnameVerifier) -> new InterceptingClientHttpRequestFactory(
				defaults.get(sslContext, hostnameVerifier), List.of(authorization));
	}

}
