package io.scalarhub.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service's published OpenAPI document ({@code /v3/api-docs}) as a client's code generator reads it, and the
 * rules every ScalarHub document keeps (docs/api.md): no internal paths, a unique camelCase operationId and
 * one tag per operation, exactly one success status, and every error a problem+json {@code Problem}.
 */
public final class PublishedOpenApi {

	public static final String PROBLEM_JSON = "application/problem+json";

	public static final String PROBLEM_REF = "#/components/schemas/Problem";

	private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options");

	private final JsonNode document;

	private final Map<String, Operation> operations = new LinkedHashMap<>();

	private PublishedOpenApi(JsonNode document) {
		this.document = document;
		document.path("paths").forEachEntry((path, item) -> METHODS.forEach((method) -> {
			if (item.has(method)) {
				String key = method.toUpperCase() + " " + path;
				this.operations.put(key, new Operation(key, item.get(method)));
			}
		}));
	}

	/** The document the service at {@code port} serves, read as anyone may (it needs no token). */
	public static PublishedOpenApi fetch(int port) {
		try {
			HttpResponse<String> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs")).build(),
						HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as("GET /v3/api-docs").isEqualTo(200);
			return new PublishedOpenApi(JsonMapper.builder().build().readTree(response.body()));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public JsonNode json() {
		return this.document;
	}

	/** Every operation, keyed {@code "POST /v1/customers"}. */
	public Map<String, Operation> operations() {
		return this.operations;
	}

	public Operation operation(String method, String path) {
		Operation operation = this.operations.get(method + " " + path);
		assertThat(operation).as("documented operation %s %s", method, path).isNotNull();
		return operation;
	}

	/** {@code "POST /v1/customers" -> "createCustomer"} for every operation. */
	public Map<String, String> operationIds() {
		Map<String, String> ids = new HashMap<>();
		this.operations.forEach((key, operation) -> ids.put(key, operation.operationId()));
		return ids;
	}

	/** The tags the operations use. */
	public Set<String> tags() {
		Set<String> tags = new TreeSet<>();
		this.operations.values().forEach((operation) -> tags.addAll(operation.tags()));
		return tags;
	}

	/** The rules every published document keeps; fails naming the operation that breaks one. */
	public PublishedOpenApi assertGeneratorReady() {
		assertThat(this.operations).as("operations").isNotEmpty();
		assertThat(this.document.path("paths").propertyNames()).as("paths")
			.noneMatch((path) -> path.startsWith("/internal"));
		JsonNode problem = this.document.path("components").path("schemas").path("Problem");
		assertThat(problem.path("properties").propertyNames()).as("Problem schema members")
			.contains("type", "title", "status", "detail", "instance", "requestId", "errors");
		Set<String> declaredTags = new TreeSet<>();
		this.document.path("tags").forEach((tag) -> declaredTags.add(tag.path("name").asString()));
		Map<String, String> seenIds = new HashMap<>();
		this.operations.forEach((key, operation) -> {
			String id = operation.operationId();
			assertThat(id).as("operationId of %s", key).isNotNull().matches("[a-z][A-Za-z0-9]*");
			assertThat(seenIds.put(id, key)).as("operationId %s of %s is also %s's", id, key, seenIds.get(id)).isNull();
			assertThat(operation.tags()).as("tags of %s", key).hasSize(1);
			assertThat(declaredTags).as("declared tags (for %s)", key).containsAll(operation.tags());
			assertThat(operation.successStatuses()).as("success statuses of %s", key).hasSize(1);
			assertThat(operation.statuses()).as("error statuses of %s", key).contains("400", "401", "403", "429", "503");
			if (operation.parameter("path").isPresent()) {
				assertThat(operation.statuses()).as("statuses of %s (it names a resource)", key).contains("404");
			}
			if (operation.parameter("header", "If-Match").isPresent()) {
				assertThat(operation.statuses()).as("statuses of %s (it takes If-Match)", key).contains("412");
			}
			for (String status : operation.statuses()) {
				if (status.startsWith("4") || status.startsWith("5")) {
					JsonNode content = operation.response(status).path("content");
					assertThat(content.propertyNames()).as("media types of %s's %s", key, status)
						.containsExactly(PROBLEM_JSON);
					assertThat(content.path(PROBLEM_JSON).path("schema").path("$ref").asString())
						.as("schema of %s's %s", key, status)
						.isEqualTo(PROBLEM_REF);
				}
			}
		});
		return this;
	}

	/** One operation of the document. */
	public static final class Operation {

		private final String key;

		private final JsonNode json;

		Operation(String key, JsonNode json) {
			this.key = key;
			this.json = json;
		}

		public JsonNode json() {
			return this.json;
		}

		public String operationId() {
			return this.json.path("operationId").isString() ? this.json.path("operationId").asString() : null;
		}

		public List<String> tags() {
			List<String> tags = new ArrayList<>();
			this.json.path("tags").forEach((tag) -> tags.add(tag.asString()));
			return tags;
		}

		/** Every documented status, in the document's order. */
		public List<String> statuses() {
			return new ArrayList<>(this.json.path("responses").propertyNames());
		}

		public List<String> successStatuses() {
			return statuses().stream().filter((status) -> status.startsWith("2")).toList();
		}

		public JsonNode response(String status) {
			JsonNode response = this.json.path("responses").path(status);
			assertThat(response.isMissingNode()).as("%s documents %s", this.key, status).isFalse();
			return response;
		}

		public String description(String status) {
			return response(status).path("description").asString();
		}

		public Set<String> responseHeaders(String status) {
			return new TreeSet<>(response(status).path("headers").propertyNames());
		}

		/** The schema of a response's JSON body: its {@code $ref}, or the schema itself. */
		public JsonNode responseSchema(String status) {
			return response(status).path("content").path("application/json").path("schema");
		}

		public Optional<JsonNode> parameter(String in) {
			return parameters().stream().filter((parameter) -> in.equals(parameter.path("in").asString())).findFirst();
		}

		public Optional<JsonNode> parameter(String in, String name) {
			return parameters().stream()
				.filter((parameter) -> in.equals(parameter.path("in").asString())
						&& name.equalsIgnoreCase(parameter.path("name").asString()))
				.findFirst();
		}

		/** Whether the header parameter {@code name} is documented, and as required. */
		public boolean requiresHeader(String name) {
			JsonNode header = parameter("header", name).orElse(null);
			assertThat(header).as("%s documents the %s header", this.key, name).isNotNull();
			return header.path("required").asBoolean(false);
		}

		private List<JsonNode> parameters() {
			List<JsonNode> parameters = new ArrayList<>();
			this.json.path("parameters").forEach(parameters::add);
			return parameters;
		}

		@Override
		public String toString() {
			return this.key;
		}

	}

}
