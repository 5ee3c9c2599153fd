package io.scalarhub.platform.availability;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.scalarhub.platform.PlatformTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A stopping instance first leaves the registry and reports itself not ready, then keeps answering for the drain
 * delay, and only then stops taking requests: the order that lets callers move away before anything is refused.
 */
class DrainBeforeShutdownTest {

	static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	@Test
	void leavesTheRegistryAndKeepsServingForTheDrainDelayBeforeTheServerStops() throws Exception {
		ConfigurableApplicationContext app = new SpringApplicationBuilder(PlatformTestApplication.class,
				RecordingRegistry.class)
			.properties(Map.of("server.port", "0", "management.server.port", "0", "eureka.client.enabled", "false",
					"scalarhub.security.public-paths", "/probe", "scalarhub.shutdown.drain-delay", "3s"))
			.run();
		int port = ((ReactiveWebServerApplicationContext) app).getWebServer().getPort();
		RecordingRegistry registry = app.getBean(RecordingRegistry.class);
		ApplicationAvailability availability = app.getBean(ApplicationAvailability.class);
		assertThat(get(port)).isEqualTo(200);

		long closing = System.nanoTime();
		CompletableFuture<Void> closed = CompletableFuture.runAsync(app::close);
		await().atMost(Duration.ofSeconds(5)).until(() -> registry.deregisteredAt.get() != 0);
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		// out of the registry, yet still answering: a caller with yesterday's copy of the registry is served
		assertThat(get(port)).isEqualTo(200);
		assertThat(closed).isNotDone();

		closed.get(30, TimeUnit.SECONDS);
		assertThat(Duration.ofNanos(registry.deregisteredAt.get() - closing)).isLessThan(Duration.ofSeconds(2));
		assertThat(Duration.ofNanos(System.nanoTime() - closing)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
		assertThatThrownBy(() -> get(port)).isInstanceOf(ConnectException.class);
	}

	static int get(int port) throws Exception {
		return http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/probe"))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	/** A registry that only remembers when it was left: what a registry client's deregistration does. */
	@Configuration(proxyBeanMethods = false)
	static class RecordingRegistry implements ServiceRegistry<Registration> {

		final AtomicLong deregisteredAt = new AtomicLong();

		@Bean
		Registration registration() {
			return new Registration() {
				@Override
				public String getServiceId() {
					return "probe-service";
				}

				@Override
				public String getHost() {
					return "127.0.0.1";
				}

				@Override
				public int getPort() {
					return 0;
				}

				@Override
				public boolean isSecure() {
					return false;
				}

				@Override
				public URI getUri() {
					return URI.create("http://127.0.0.1:0");
				}

				@Override
				public Map<String, String> getMetadata() {
					return Map.of();
				}
			};
		}

		@Override
		public void register(Registration registration) {
		}

		@Override
		public void deregister(Registration registration) {
			this.deregisteredAt.compareAndSet(0, System.nanoTime());
		}

		@Override
		public void close() {
		}

		@Override
		public void setStatus(Registration registration, String status) {
		}

		@Override
		public <T> T getStatus(Registration registration) {
			return null;
		}

	}

}
