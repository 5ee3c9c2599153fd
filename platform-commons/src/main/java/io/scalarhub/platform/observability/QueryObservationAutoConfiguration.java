package io.scalarhub.platform.observability;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.observation.ObservationProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactoryOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SpanExporters;
import org.springframework.boot.r2dbc.ConnectionFactoryDecorator;
import org.springframework.boot.r2dbc.OptionsCapableConnectionFactory;
import org.springframework.boot.r2dbc.autoconfigure.ProxyConnectionFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * The apps' SQL statement observations, in place of Boot's ({@code R2dbcObservationAutoConfiguration} and
 * {@code R2dbcProxyAutoConfiguration}, both excluded in scalarhub-platform-defaults.yml): r2dbc-proxy's listener
 * behind {@link KeptTraceQueryListener}, and the proxy itself only where some customizer gives it a listener.
 * <p>
 * Statement observations exist for the spans: only kept traces get them, and nothing reads their timers. So an app
 * with no span exporter (a local run without Jaeger) gets no listener and no proxy: Boot's decorator wrapped every
 * connection, statement and result in r2dbc-proxy's JDK proxies and callback subscribers whether a listener was
 * there or not: 4 % of transaction-service's CPU per transfer (docs/performance.md). Parameter values are never
 * recorded (Boot's default too).
 */
@AutoConfiguration
@ConditionalOnClass({ ProxyConnectionFactory.class, ObservationProxyExecutionListener.class,
		ProxyConnectionFactoryCustomizer.class, TracingObservationHandler.class, SpanExporters.class })
public class QueryObservationAutoConfiguration {

	/** Boot's decorator, except that a proxy with no listener is not built: it would only cost. */
	@Bean
	ConnectionFactoryDecorator listenedConnectionFactories(ObjectProvider<ProxyConnectionFactoryCustomizer> customizers) {
		return (connectionFactory) -> {
			ProxyConnectionFactory.Builder builder = ProxyConnectionFactory.builder(connectionFactory);
			customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
			return builder.getProxyConfig().getListeners().getListeners().isEmpty() ? connectionFactory
					: builder.build();
		};
	}

	@Bean
	ProxyConnectionFactoryCustomizer keptTraceQueryObservations(ObjectProvider<ObservationRegistry> registry,
			ObjectProvider<SpanExporters> exporters) {
		return (builder) -> {
			if (!SpanExportAutoConfiguration.exportsSpans(exporters.getIfAvailable())) {
				return;
			}
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
