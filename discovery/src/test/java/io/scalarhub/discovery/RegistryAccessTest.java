package io.scalarhub.discovery;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.netflix.eureka.cluster.PeerEurekaNodes;
import io.scalarhub.test.Polling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry, started for real, refuses anyone without its credentials (reads, registrations, deregistrations,
 * the dashboard), and a platform app that has them registers and is listed.
 */
class RegistryAccessTest {

	static final String PASSWORD = "registry-password-for-this-test";

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static ConfigurableApplicationContext registry;

	static String base;

	@BeforeAll
	static void startRegistry() {
		registry = new SpringApplicationBuilder(DiscoveryApplication.class).run("--server.port=0",
				"--management.server.port=0", "--spring.cloud.config.enabled=false",
				"--spring.config.import=optional:configserver:http://127.0.0.1:1",
				"--scalarhub.discovery.password=" + PASSWORD);
		base = "http://127.0.0.1:" + registry.getEnvironment().getProperty("local.server.port");
	}

	@AfterAll
	static void stopRegistry() {
		registry.close();
	}

	@Test
	void aLoneRegistryHasNoPeerToReplicateTo() {
		// its own URL in the peer list is itself, not a peer: it replicated every heartbeat to itself, which was
		// refused (replication carried no credentials then), logged and retried
		assertThat(registry.getBean(PeerEurekaNodes.class).getPeerEurekaNodes()).isEmpty();
	}

	@Test
	void anonymousReadsRegistrationsAndDeregistrationsAre401() throws Exception {
		String instance = "{\"instance\":{\"instanceId\":\"rogue:1\",\"hostName\":\"127.0.0.1\",\"app\":\"AUTH-SERVER\","
				+ "\"ipAddr\":\"127.0.0.1\",\"status\":\"UP\",\"port\":{\"$\":9999,\"@enabled\":\"true\"},"
				+ "\"dataCenterInfo\":{\"@class\":\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"}}}";
		for (String authorization : new String[] { null, basic("scalarhub", "guessed"), basic("admin", PASSWORD) }) {
			assertThat(send("GET", "/eureka/apps", null, authorization).statusCode()).isEqualTo(401);
			assertThat(send("POST", "/eureka/apps/AUTH-SERVER", instance, authorization).statusCode()).isEqualTo(401);
			assertThat(send("DELETE", "/eureka/apps/GATEWAY/gateway:1", null, authorization).statusCode())
				.isEqualTo(401);
			assertThat(send("GET", "/", null, authorization).statusCode()).isEqualTo(401);
		}
		// and nothing was registered by those attempts
		assertThat(send("GET", "/eureka/apps/AUTH-SERVER", null, basic("scalarhub", PASSWORD)).statusCode())
			.isEqualTo(404);
	}

	@Test
	void anAppWithTheCredentialsRegistersAndOneWithoutDoesNot() throws Exception {
		try (ConfigurableApplicationContext withCredentials = client("with-credentials", PASSWORD);
				ConfigurableApplicationContext without = client("without-credentials", "wrong")) {
			Polling.until(Duration.ofSeconds(30), "the app with the credentials is registered",
					() -> listed("WITH-CREDENTIALS"));
			assertThat(send("GET", "/eureka/apps/WITHOUT-CREDENTIALS", null, basic("scalarhub", PASSWORD))
				.statusCode()).isEqualTo(404);
		}
	}

	private static ConfigurableApplicationContext client(String name, String password) {
		// a web app, as every platform app is (Eureka's RestClient transport is set up for web apps)
		return new SpringApplicationBuilder(ClientApp.class).web(WebApplicationType.SERVLET)
			.run("--server.port=0", "--management.server.port=0", "--spring.application.name=" + name,
					// Jersey is on this module's class path for the registry; platform apps use RestClient
					"--eureka.client.jersey.enabled=false",
					"--eureka.client.register-with-eureka=true", "--eureka.client.fetch-registry=false", "--spring.cloud.config.enabled=false",
					"--eureka.client.service-url.defaultZone=" + base + "/eureka/",
					"--eureka.client.initial-instance-info-replication-interval-seconds=1",
					"--eureka.instance.instance-id=" + name + ":1", "--scalarhub.discovery.password=" + password);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ClientApp {

	}

	private static boolean listed(String app) {
		try {
			return send("GET", "/eureka/apps/" + app, null, basic("scalarhub", PASSWORD)).statusCode() == 200;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static HttpResponse<String> send(String method, String path, String body, String authorization)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
			.timeout(Duration.ofSeconds(10))
			.header("Accept", "application/json")
			.method(method, (body == null) ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
