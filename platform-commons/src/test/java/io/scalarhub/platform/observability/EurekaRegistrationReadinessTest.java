package io.scalarhub.platform.observability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo.InstanceStatus;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scalarhub.platform.PlatformTestApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows Eureka's answer to the registration itself: an app is ready as soon as the registry
 * acknowledged it as UP, not a heartbeat or a registry fetch later, and never while the registry refuses it.
 * The registry here speaks Eureka's registration protocol over HTTP and answers as told; the app's Eureka client
 * is the real one. Heartbeats and fetches are set a minute apart, so neither can be what makes the app ready.
 */
class EurekaRegistrationReadinessTest {

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	Registry registry;

	ConfigurableApplicationContext app;

	@AfterEach
	void stop() {
		if (this.app != null) {
			this.app.close();
		}
		this.registry.server.stop(0);
	}

	@Test
	void readyOnceTheRegistryAcknowledgedTheRegistrationAndNotWhenItsStatusChanges() throws Exception {
		this.registry = new Registry(204);
		this.app = start(this.registry);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.registry.registrations.get() >= 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> readiness(this.app) == 200);
		Health health = indicator(this.app).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("msSinceHeartbeatAcknowledged", -1L)
			.containsEntry("listedInRegistry", false);
		assertThat((Long) health.getDetails().get("msSinceRegistrationAcknowledged")).isBetween(0L, 20_000L);

		// registered as UP is what counts: taken out of service, the info is dirty again until Eureka has the change
		this.app.getBean(ApplicationInfoManager.class).setInstanceStatus(InstanceStatus.OUT_OF_SERVICE);
		assertThat(indicator(this.app).health().getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void notReadyWhileTheRegistryRefusesTheRegistration() throws Exception {
		this.registry = new Registry(500);
		this.app = start(this.registry);

		await().atMost(Duration.ofSeconds(20)).until(() -> this.registry.registrations.get() >= 1);
		assertThat(readiness(this.app)).isEqualTo(503);
		Health health = indicator(this.app).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("msSinceRegistrationAcknowledged", -1L);
	}

	static ConfigurableApplicationContext start(Registry registry) {
		return new SpringApplicationBuilder(PlatformTestApplication.class)
			.properties(Map.of("server.port", "0", "management.server.port", "0", "spring.application.name",
					"probe-service", "eureka.client.service-url.defaultZone",
					"http://127.0.0.1:" + registry.server.getAddress().getPort() + "/eureka/",
					"eureka.client.fetch-registry", "false", "eureka.instance.lease-renewal-interval-in-seconds", "60",
					"eureka.instance.lease-expiration-duration-in-seconds", "90"))
			.run();
	}

	static HealthIndicator indicator(ConfigurableApplicationContext app) {
		return app.getBean(EurekaRegistrationHealthIndicator.class);
	}

	static int readiness(ConfigurableApplicationContext app) throws Exception {
		String port = app.getEnvironment().getProperty("local.management.port");
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(5))
			.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	/** Eureka's registration endpoint, answering every registration with one status; the rest with 200. */
	static final class Registry {

		final HttpServer server;

		final AtomicInteger registrations = new AtomicInteger();

		Registry(int registrationStatus) throws IOException {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			this.server.createContext("/eureka/", (exchange) -> answer(exchange, registrationStatus));
			this.server.start();
		}

		private void answer(HttpExchange exchange, int registrationStatus) throws IOException {
			exchange.getRequestBody().readAllBytes();
			boolean registration = exchange.getRequestMethod().equals("POST")
					&& exchange.getRequestURI().getPath().startsWith("/eureka/apps/");
			// counted before the answer: a test that sees the count knows the client is being answered
			if (registration) {
				this.registrations.incrementAndGet();
			}
			exchange.sendResponseHeaders(registration ? registrationStatus : 200, -1);
			exchange.close();
		}

	}

}
