package io.scalarhub.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.scalarhub.e2e.OtlpReceiver.ReceivedSpan;
import io.scalarhub.test.Polling;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.scalarhub.e2e.SuiteEndToEndTest.api;
import static io.scalarhub.e2e.SuiteEndToEndTest.json;
import static io.scalarhub.e2e.SuiteEndToEndTest.send;
import static io.scalarhub.e2e.SuiteEndToEndTest.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Observability of the suite started by {@link SuiteEndToEndTest} (run there as a nested class, so the
 * suite starts once): what went over the wire to the trace receiver, what Prometheus found through Eureka,
 * what the apps logged, and what their health groups say.
 */
abstract class ObservabilityChecks {

	private static final Duration EXPORT_DEADLINE = Duration.ofSeconds(30);

	@Test
	void oneRequestThroughTheGatewayIsOneTraceFromGatewayToServiceToDatabase() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "customers:write");
		HttpResponse<String> created = send(api("/v1/customers", token).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Trace Me\",\"email\":\"trace-" + UUID.randomUUID()
					+ "@example.com\"}")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String traceId = created.headers().firstValue("X-Trace-Id").orElseThrow();
		assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));

		// spans leave each app in batches: wait until both apps' parts, the database's included, arrived
		Polling.until(EXPORT_DEADLINE, "the trace's spans from gateway and customer-service", () -> {
			List<ReceivedSpan> spans = LocalSuite.TRACES.spans((span) -> span.traceId().equals(traceId));
			return server(spans, "gateway").isPresent() && server(spans, "customer-service").isPresent()
					&& spans.stream().anyMatch((span) -> span.service().equals("customer-service") && isDatabase(span))
					&& orphans(spans).isEmpty();
		});
		List<ReceivedSpan> trace = LocalSuite.TRACES.spans((span) -> span.traceId().equals(traceId));
		Map<String, ReceivedSpan> byId = trace.stream()
			.collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity(), (a, b) -> a));

		// the consumer sent no trace context: the gateway's server span is the one root
		ReceivedSpan gatewayServer = server(trace, "gateway").orElseThrow();
		assertThat(trace.stream().filter(ReceivedSpan::isRoot)).containsExactly(gatewayServer);
		// customer-service continued the gateway's trace: its server span's parent is the gateway's client
		// span for the proxied call, which descends from the gateway's server span
		ReceivedSpan serviceServer = server(trace, "customer-service").orElseThrow();
		ReceivedSpan parent = byId.get(serviceServer.parentSpanId());
		assertThat(parent).as("parent of customer-service's server span in %s", trace).isNotNull();
		assertThat(parent.service()).isEqualTo("gateway");
		assertThat(parent.kind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
		assertThat(ancestors(parent, byId)).contains(gatewayServer);
		// the INSERT is a child (or grandchild) of the service's server span, in the same trace
		List<ReceivedSpan> queries = trace.stream()
			.filter((span) -> span.service().equals("customer-service") && isDatabase(span))
			.toList();
		assertThat(queries).isNotEmpty()
			.allSatisfy((query) -> assertThat(ancestors(query, byId)).contains(serviceServer, gatewayServer));
		assertThat(orphans(trace)).isEmpty();
		assertThat(LocalSuite.TRACES.rejected()).as("undecodable OTLP requests").isEmpty();
	}

	@Test
	void aRequestsLogLinesCarryItsIdsAsJsonFieldsAndNoSecretOrTokenIsLogged() throws Exception {
		String token = token("scalarhub-demo", "demo-secret", "customers:read");
		String requestId = "obs-" + UUID.randomUUID();
		HttpResponse<String> listed = send(api("/v1/customers?size=1", token).header("X-Request-Id", requestId));
		assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
		String traceId = listed.headers().firstValue("X-Trace-Id").orElseThrow();

		for (String app : List.of("gateway", "customer-service")) {
			Polling.until(Duration.ofSeconds(10), app + "'s log line for request " + requestId,
					() -> requestLine(app, requestId).isPresent());
			JsonNode line = requestLine(app, requestId).orElseThrow();
			assertThat(line.path("traceId").asString()).as(app).isEqualTo(traceId);
			assertThat(line.path("spanId").asString()).as(app).matches("[0-9a-f]{16}");
			assertThat(line.path("clientId").asString()).as(app).isEqualTo("scalarhub-demo");
			assertThat(line.path("tenantId").asString()).as(app).isEqualTo("d3e00000-0000-4000-8000-000000000001");
			assertThat(line.path("service.name").asString(line.path("service").path("name").asString()))
				.as(app).isEqualTo(app);
			assertThat(line.path("message").asString()).as(app).contains("GET /v1/customers 200");
		}

		// nothing that authenticates anyone reaches a log: client secrets, the Basic header, bearer tokens
		String basic = Base64.getEncoder().encodeToString("scalarhub-demo:demo-secret".getBytes(StandardCharsets.UTF_8));
		List<String> secrets = List.of("demo-secret", "free-secret", basic, token, "Bearer ");
		for (String app : LocalSuite.APPS) {
			String log = Files.readString(LocalSuite.logOf(app));
			assertThat(secrets).as("secrets in %s's log", app).noneMatch(log::contains);
			assertThat(log.lines().filter((line) -> line.startsWith("{")).count()).as("JSON lines in %s's log", app)
				.isPositive();
		}
	}

	@Test
	void prometheusScrapesEveryAppItFindsThroughEureka() throws Exception {
		if (!LocalSuite.prometheusInstalled()) {
			// up.sh runs without it and says so, rather than failing the start
			assertThat(Files.readString(LocalSuite.RUN_DIR.resolve("up.sh.out")))
				.contains("Prometheus is not installed");
			return;
		}
		Set<String> expected = new HashSet<>(LocalSuite.APPS);
		try {
			Polling.until(Duration.ofSeconds(90), "Prometheus to scrape every app successfully",
					() -> healthyTargets().containsAll(expected));
		}
		catch (AssertionError ex) {
			throw new AssertionError(ex.getMessage() + "; targets: "
					+ get(LocalSuite.PROMETHEUS + "/api/v1/targets?state=active"), ex);
		}
		// the Eureka-discovered targets are scraped on the management port the instance registered
		JsonNode targets = json.readTree(get(LocalSuite.PROMETHEUS + "/api/v1/targets?state=active"));
		List<String> eurekaScraped = new ArrayList<>();
		for (JsonNode target : targets.path("data").path("activeTargets")) {
			if (target.path("labels").path("job").asString().equals("scalarhub")) {
				eurekaScraped.add(target.path("labels").path("application").asString());
				assertThat(target.path("scrapeUrl").asString()).endsWith("/actuator/prometheus");
			}
		}
		// every app but the two that Eureka itself needs first (listed by address in prometheus.yml)
		assertThat(eurekaScraped).containsExactlyInAnyOrderElementsOf(LocalSuite.APPS.stream()
			.filter((app) -> !app.equals("config-server") && !app.equals("discovery"))
			.toList());
	}

	@Test
	void readinessMeansPrimaryDatabaseAndEurekaRegistrationAndLivenessOnlyTheProcess() throws Exception {
		for (String app : LocalSuite.APPS.stream()
			.filter((app) -> !List.of("config-server", "discovery", "auth-server").contains(app))
			.toList()) {
			int management = LocalSuite.managementPort(app);
			JsonNode readiness = json.readTree(get("http://localhost:" + management + "/actuator/health/readiness"));
			assertThat(readiness.path("status").asString()).as(app).isEqualTo("UP");
			Set<String> members = new HashSet<>(readiness.path("components").propertyNames());
			assertThat(members).as(app).contains("readinessState", "eurekaRegistration")
				.doesNotContain("redis", "diskSpace", "ping");
			if (!app.equals("gateway")) {
				assertThat(members).as(app).contains("r2dbc");
			}
			JsonNode liveness = json.readTree(get("http://localhost:" + management + "/actuator/health/liveness"));
			assertThat(liveness.path("components").propertyNames()).as(app).containsExactly("livenessState");
		}
	}

	/** A management endpoint, read as the operator (health details need the credentials). */
	private static String get(String url) throws Exception {
		HttpResponse<String> response = send(
				HttpRequest.newBuilder(URI.create(url)).header("Authorization", LocalSuite.operator()));
		assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
		return response.body();
	}

	private static Set<String> healthyTargets() {
		try {
			JsonNode targets = json.readTree(get(LocalSuite.PROMETHEUS + "/api/v1/targets?state=active"));
			Set<String> up = new HashSet<>();
			for (JsonNode target : targets.path("data").path("activeTargets")) {
				if (target.path("health").asString().equals("up")) {
					up.add(target.path("labels").path("application").asString());
				}
			}
			return up;
		}
		catch (Exception ex) {
			return Set.of();
		}
	}

	private static Optional<JsonNode> requestLine(String app, String requestId) {
		try {
			return Files.readAllLines(LocalSuite.logOf(app))
				.stream()
				.filter((line) -> line.startsWith("{") && line.contains(requestId))
				.map((line) -> (JsonNode) json.readTree(line))
				.filter((line) -> line.path("log.logger").asString(line.path("log").path("logger").asString())
					.equals("io.scalarhub.request"))
				.filter((line) -> requestId.equals(line.path("requestId").asString()))
				.findFirst();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private static Optional<ReceivedSpan> server(List<ReceivedSpan> spans, String service) {
		return spans.stream()
			.filter((span) -> span.service().equals(service) && span.kind() == SpanKind.SPAN_KIND_SERVER)
			.findFirst();
	}

	/** R2DBC query spans (r2dbc-proxy's observation): a client span with r2dbc or db attributes. */
	private static boolean isDatabase(ReceivedSpan span) {
		return span.kind() == SpanKind.SPAN_KIND_CLIENT && span.attributes()
			.keySet()
			.stream()
			.anyMatch((key) -> key.startsWith("r2dbc.") || key.startsWith("db."));
	}

	private static List<ReceivedSpan> orphans(List<ReceivedSpan> trace) {
		Set<String> ids = trace.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
		return trace.stream().filter((span) -> !span.isRoot() && !ids.contains(span.parentSpanId())).toList();
	}

	private static List<ReceivedSpan> ancestors(ReceivedSpan span, Map<String, ReceivedSpan> byId) {
		List<ReceivedSpan> ancestors = new ArrayList<>();
		for (ReceivedSpan parent = byId.get(span.parentSpanId()); parent != null; parent = byId
			.get(parent.parentSpanId())) {
			ancestors.add(parent);
		}
		return ancestors;
	}

}
