package io.scalarhub.discovery;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import io.scalarhub.test.Polling;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two registries that list each other as peers (as Kubernetes runs them: deploy/k8s) share their registrations:
 * an instance registered with one is listed by the other, although each peer answers only with the registry's
 * credentials.
 */
class PeerReplicationTest {

	static final String PASSWORD = "peer-password-for-this-test";

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void anInstanceRegisteredWithOnePeerIsListedByTheOther() throws Exception {
		int first = freePort();
		int second = freePort();
		String peers = url(first) + "," + url(second);
		try (ConfigurableApplicationContext one = peer(first, peers);
				ConfigurableApplicationContext other = peer(second, peers)) {
			String instance = "{\"instance\":{\"instanceId\":\"replicated:1\",\"hostName\":\"127.0.0.1\","
					+ "\"app\":\"REPLICATED\",\"ipAddr\":\"127.0.0.1\",\"status\":\"UP\","
					+ "\"port\":{\"$\":9999,\"@enabled\":\"true\"},\"dataCenterInfo\":{\"@class\":"
					+ "\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"}}}";
			assertThat(send(first, "POST", "/eureka/apps/REPLICATED", instance).statusCode()).isEqualTo(204);
			Polling.until(Duration.ofSeconds(30), "the other peer lists the instance",
					() -> send(second, "GET", "/eureka/apps/REPLICATED", null).statusCode() == 200);
		}
	}

	private static ConfigurableApplicationContext peer(int port, String peers) {
		return new SpringApplicationBuilder(DiscoveryApplication.class).run("--server.port=" + port,
				"--management.server.port=0", "--spring.cloud.config.enabled=false",
				"--spring.config.import=optional:configserver:http://127.0.0.1:1",
				"--scalarhub.discovery.password=" + PASSWORD, "--eureka.client.service-url.defaultZone=" + peers,
				"--eureka.server.my-url=" + url(port));
	}

	private static String url(int port) {
		return "http://127.0.0.1:" + port + "/eureka/";
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static HttpResponse<String> send(int port, String method, String path, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.header("Accept", "application/json")
			.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString(("scalarhub:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
			.method(method, (body == null) ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		try {
			return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
