package io.scalarhub.platform.observability;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.observation.ObservationProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactoryOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.r2dbc.OptionsCapableConnectionFactory;
import org.springframework.boot.r2dbc.autoconfigure.ProxyConnectionFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * The apps' SQL statement observations, in place of Boot's ({@code R2dbcObservationAutoConfiguration}, excluded in
 * scalarhub-platform-defaults.yml): the same r2dbc-proxy listener, on the same connection factories, behind
 * {@link KeptTraceQueryListener}. Parameter values are never recorded (Boot's default too).
 */
@AutoConfiguration
@ConditionalOnClass({ ProxyConnectionFactory.class, ObservationProxyExecutionListener.class,
		ProxyConnectionFactoryCustomizer.class, TracingObservationHandler.class })
public class QueryObservationAutoConfiguration {

	@Bean
	ProxyConnectionFactoryCustomizer keptTraceQueryObservations(ObjectProvider<ObservationRegistry> registry) {
		return (builder) -> {
			ObservationRegistry observations = registry.getIfAvailable(() -> ObservationRegistry.NOOP);
			OptionsCapableConnectionFactory options = OptionsCapableConnectionFactory
				.unwrapFrom(builder.getConnectionFactory());
			String host = null;
			Integer port = null;
			if (options != null) {
				host = (String) options.getOptions().getValue(ConnectionFactoryOptions.HOST);
				Object value = options.getOptions().getValue(ConnectionFactoryOptions.PORT);
				port = (value instanceof Integer number) ? number
						: (value != null) ? Integer.valueOf(value.toString()) : null;
			}
			builder.listener(new KeptTraceQueryListener(new ObservationProxyExecutionListener(observations,
					builder.getConnectionFactory(), host, port)));
		};
	}

}
