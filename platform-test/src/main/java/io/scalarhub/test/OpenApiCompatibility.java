package io.scalarhub.test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.openapitools.openapidiff.core.OpenApiCompare;
import org.openapitools.openapidiff.core.model.Changed;
import org.openapitools.openapidiff.core.model.ChangedOpenApi;
import org.openapitools.openapidiff.core.model.ChangedOperation;
import org.openapitools.openapidiff.core.model.ChangedSchema;
import org.openapitools.openapidiff.core.model.ComposedChanged;
import org.openapitools.openapidiff.core.model.Endpoint;
import org.openapitools.openapidiff.core.output.MarkdownRender;

/**
 * Whether a new OpenAPI document keeps the promises of an old one (docs/api.md, "Compatibility: the committed
 * documents"). openapi-diff decides what is incompatible for a client (a removed operation, a retyped response
 * field, a new required request field, a narrowed request enum, ...), with one rule added: a property removed
 * from a response or a request body breaks clients, required or not. openapi-diff lets an optional one go,
 * but a generated client reads every documented response field (ours mark few as required), and a client
 * that still sends a removed request field gets a 400, since bodies are read strictly.
 * <p>
 * On top of that, a version path is a promise of its own: a break under a version the old document does not
 * have ({@code /v2} next to a committed {@code /v1}) breaks nobody, since no client calls it yet.
 */
public final class OpenApiCompatibility {

	private static final Pattern VERSION = Pattern.compile("^/(v[0-9]+)(/|$)");

	private OpenApiCompatibility() {
	}

	/**
	 * Compares {@code newer} with {@code older} (OpenAPI documents as JSON or YAML text).
	 * @throws IllegalArgumentException when either is no OpenAPI document openapi-diff can read
	 */
	public static Report compare(String older, String newer) {
		ChangedOpenApi diff = OpenApiCompare.fromContents(asOpenApi30(older), asOpenApi30(newer));
		Set<String> olderVersions = versions(diff.getOldSpecOpenApi());
		List<Change> changes = new ArrayList<>();
		for (Endpoint removed : diff.getMissingEndpoints()) {
			changes.add(new Change(removed.getMethod() + " " + removed.getPathUrl(), "removed", true));
		}
		for (Endpoint added : diff.getNewEndpoints()) {
			changes.add(new Change(added.getMethod() + " " + added.getPathUrl(), "added", false));
		}
		for (ChangedOperation operation : diff.getChangedOperations()) {
			String endpoint = operation.getHttpMethod() + " " + operation.getPathUrl();
			Set<String> removedFromRequest = removedProperties(operation.getRequestBody());
			Set<String> removedFromResponses = removedProperties(operation.getApiResponses());
			if (operation.isIncompatible() || !removedFromRequest.isEmpty() || !removedFromResponses.isEmpty()) {
				changes.add(new Change(endpoint, incompatibleParts(operation, removedFromRequest, removedFromResponses),
						true));
			}
			else if (operation.isDifferent()) {
				changes.add(new Change(endpoint, "changed compatibly", false));
			}
		}
		List<String> breaking = new ArrayList<>();
		List<String> compatible = new ArrayList<>();
		for (Change change : changes) {
			String version = version(change.endpoint());
			if (!change.incompatible()) {
				compatible.add(change.describe());
			}
			else if (olderVersions.contains(version)) {
				breaking.add(change.describe());
			}
			else {
				compatible.add(change.describe() + " (under " + version + ", which the older document does not have)");
			}
		}
		return new Report(breaking, compatible, render(diff));
	}

	/**
	 * The document as openapi-diff reads it best. openapi-diff 2.1 compares an array's items only in a 3.0
	 * document (in 3.1 a removed field of a list page's items went unnoticed), and springdoc serves 3.1 using no
	 * construct that 3.0 lacks; so both sides are compared as 3.0. Should a 3.1-only construct appear, the 3.0
	 * parser's complaint fails the check instead of letting it compare less than it seems to.
	 */
	static String asOpenApi30(String document) {
		try {
			JsonNode tree = Yaml.mapper().readTree(document); // JSON is YAML too
			if (!(tree instanceof ObjectNode object) || !object.path("openapi").asText().startsWith("3.")) {
				throw new IllegalArgumentException("not an OpenAPI 3 document: " + abbreviate(document));
			}
			object.put("openapi", "3.0.3");
			String text = Json.mapper().writeValueAsString(object);
			SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, new ParseOptions());
			if (parsed.getOpenAPI() == null || (parsed.getMessages() != null && !parsed.getMessages().isEmpty())) {
				throw new IllegalArgumentException("openapi-diff cannot compare this document as OpenAPI 3.0: "
						+ parsed.getMessages() + " in " + abbreviate(document));
			}
			return text;
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("not JSON or YAML: " + abbreviate(document), ex);
		}
	}

	private static String abbreviate(String document) {
		return document.length() <= 200 ? document : document.substring(0, 200) + "...";
	}

	/**
	 * The version prefix ({@code "/v1"}) of an endpoint ({@code "GET /v1/customers"}, or a report line that
	 * starts with one), or {@code ""} for a path outside any version.
	 */
	public static String version(String endpoint) {
		return versionOfPath(endpoint.substring(endpoint.indexOf(' ') + 1));
	}

	private static String versionOfPath(String path) {
		Matcher matcher = VERSION.matcher(path);
		return matcher.find() ? "/" + matcher.group(1) : "";
	}

	private static Set<String> versions(OpenAPI document) {
		Set<String> versions = new TreeSet<>();
		if (document.getPaths() != null) {
			document.getPaths().keySet().forEach((path) -> versions.add(versionOfPath(path)));
		}
		return versions;
	}

	/**
	 * The properties (as {@code a.b}, {@code content[].c}) of a request body's or responses' schemas that the
	 * newer document no longer has, required or not.
	 */
	private static Set<String> removedProperties(Changed bodyOrResponses) {
		Set<String> removed = new TreeSet<>();
		collectRemovedProperties(bodyOrResponses, "", removed, Collections.newSetFromMap(new IdentityHashMap<>()));
		return removed;
	}

	/** {@code seen} stops at a change met before (openapi-diff shares them between uses of a schema). */
	private static void collectRemovedProperties(Changed changed, String prefix, Set<String> removed,
			Set<Changed> seen) {
		if (changed == null || !seen.add(changed)) {
			return;
		}
		if (changed instanceof ChangedSchema schema) {
			schema.getMissingProperties().keySet().forEach((name) -> removed.add(prefix + name));
			schema.getChangedProperties()
				.forEach((name, property) -> collectRemovedProperties(property, prefix + name + ".", removed, seen));
			String items = (prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix) + "[].";
			collectRemovedProperties(schema.getItems(), items, removed, seen);
			for (Changed element : schema.getChangedElements()) {
				if (element != schema.getItems() && !schema.getChangedProperties().containsValue(element)) {
					collectRemovedProperties(element, prefix, removed, seen);
				}
			}
		}
		else if (changed instanceof ComposedChanged composed) {
			for (Changed element : composed.getChangedElements()) {
				collectRemovedProperties(element, prefix, removed, seen);
			}
		}
	}

	/** Which parts of an incompatibly changed operation broke, so the list says where to look. */
	private static String incompatibleParts(ChangedOperation operation, Set<String> removedFromRequest,
			Set<String> removedFromResponses) {
		List<String> parts = new ArrayList<>();
		if (Changed.result(operation.getParameters()).isIncompatible()) {
			parts.add("parameters");
		}
		if (!removedFromRequest.isEmpty()) {
			parts.add("request body (removed " + String.join(", ", removedFromRequest) + ")");
		}
		else if (Changed.result(operation.getRequestBody()).isIncompatible()) {
			parts.add("request body");
		}
		if (!removedFromResponses.isEmpty()) {
			parts.add("responses (removed " + String.join(", ", removedFromResponses) + ")");
		}
		else if (Changed.result(operation.getApiResponses()).isIncompatible()) {
			parts.add("responses");
		}
		if (Changed.result(operation.getSecurityRequirements()).isIncompatible()) {
			parts.add("security");
		}
		if (Changed.result(operation.getOperationId()).isIncompatible()) {
			parts.add("operationId");
		}
		return parts.isEmpty() ? "changed incompatibly" : "incompatible " + String.join(", ", parts);
	}

	/** openapi-diff's own account of every change, field by field: the detail under the summary lines. */
	private static String render(ChangedOpenApi diff) {
		try {
			return new MarkdownRender().render(diff);
		}
		catch (RuntimeException ex) {
			// the summary lines stand on their own; a renderer failure must not hide them
			return "(openapi-diff could not render the details: " + ex + ")";
		}
	}

	private record Change(String endpoint, String what, boolean incompatible) {

		String describe() {
			return this.endpoint + ": " + this.what;
		}

	}

	/**
	 * What changed from the older document to the newer.
	 * @param breaking each change that breaks a client of a version the older document has, one line each
	 * @param compatible each other change to an operation (added, changed compatibly, or a break under a version
	 * the older document does not have)
	 * @param details openapi-diff's field-by-field rendering of all changes
	 */
	public record Report(List<String> breaking, List<String> compatible, String details) {

		/** The breaking changes outside the {@code retired} versions ({@code "/v1"}): those no note can excuse. */
		public List<String> breakingOutside(Collection<String> retired) {
			return this.breaking.stream().filter((line) -> !retired.contains(version(line))).toList();
		}

	}

}
