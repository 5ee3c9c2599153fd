package io.scalarhub.platform.access;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real app of each web stack, its management port on its own port as in every ScalarHub app: the probes
 * answer anyone with a bare status, everything else only the operator. The management settings every app has
 * are in this module's test application.properties.
 */
class ManagementPortAccessTest {

	static final String OPERATOR = "scalarhub-ops";

	static final String PASSWORD = "a-long-random-operator-password";

	/** Both servers are on this module's test class path; a reactive app here runs on Netty, as the platform's do. */
	static final String NETTY_ONLY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration";

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

	abstract static class Checks {

		@LocalManagementPort
		int managementPort;

		@Test
		void probesAnswerAnyoneWithABareStatus() throws Exception {
			for (String probe : new String[] { "/actuator/health", "/actuator/health/liveness",
					"/actuator/health/readiness" }) {
				HttpResponse<String> response = get(probe, null);
				assertThat(response.statusCode()).as(probe).isEqualTo(200);
				assertThat(response.body()).as(probe).contains("\"status\":\"UP\"").doesNotContain("components");
			}
		}

		@Test
		void healthDetailsMetricsAndEverythingElseNeedTheOperator() throws Exception {
			for (String path : new String[] { "/actuator/prometheus", "/actuator/env", "/actuator" }) {
				assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
				assertThat(get(path, basic(OPERATOR, "wrong")).statusCode()).as(path).isEqualTo(401);
				assertThat(get(path, basic("someone", PASSWORD)).statusCode()).as(path).isEqualTo(401);
			}
			HttpResponse<String> metrics = get("/actuator/prometheus", basic(OPERATOR, PASSWORD));
			assertThat(metrics.statusCode()).isEqualTo(200);
			assertThat(metrics.body()).contains("jvm_memory_used_bytes");
			assertThat(get("/actuator/health", basic(OPERATOR, PASSWORD)).body()).contains("components");
		}

		HttpResponse<String> get(String path, String authorization) throws Exception {
			HttpRequest.Builder request = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + path))
				.timeout(Duration.ofSeconds(10));
			if (authorization != null) {
				request.header("Authorization", authorization);
			}
			return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}

	}

	static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	@Nested
	@SpringBootTest(classes = App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "spring.main.web-application-type=reactive", NETTY_ONLY,
					"scalarhub.management.password=" + PASSWORD })
	class Reactive extends Checks {

	}

	@Nested
	@SpringBootTest(classes = App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "spring.main.web-application-type=servlet", "scalarhub.management.password=" + PASSWORD })
	class Servlet extends Checks {

	}

	/** No password configured: the probes still answer, and nobody gets further, whatever they send. */
	@Nested
	@SpringBootTest(classes = App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "spring.main.web-application-type=reactive", NETTY_ONLY })
	class WithoutAPassword {

		@LocalManagementPort
		int managementPort;

		@Test
		void nobodyGetsPastTheProbes() throws Exception {
			Checks checks = new Checks() {
			};
			checks.managementPort = this.managementPort;
			assertThat(checks.get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
			assertThat(checks.get("/actuator/prometheus", basic(OPERATOR, "")).statusCode()).isEqualTo(401);
			assertThat(checks.get("/actuator/prometheus", basic(OPERATOR, PASSWORD)).statusCode()).isEqualTo(401);
		}

	}

}
