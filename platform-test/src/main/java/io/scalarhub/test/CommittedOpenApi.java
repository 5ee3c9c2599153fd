package io.scalarhub.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A service's committed public OpenAPI document ({@code src/main/openapi/public-api.json} in its module) held
 * against the one it serves. Served and committed must be equal: a breaking change to a committed version
 * fails with the list of breaks (ship it under a new version path instead), any other difference fails with
 * the command that re-records the file, so the committed file is always what the service serves and every
 * change to the public API shows up as a diff of it in review (docs/api.md, "Compatibility: the committed
 * documents").
 * <p>
 * {@code -Dscalarhub.openapi.record=true} writes the served document over the committed one, unless that breaks
 * a committed version; {@code -Dscalarhub.openapi.retire=/v1} (with record) lets the breaks under {@code /v1}
 * through, for the deliberate removal of an old version.
 */
public final class CommittedOpenApi {

	public static final String RECORD_PROPERTY = "scalarhub.openapi.record";

	public static final String RETIRE_PROPERTY = "scalarhub.openapi.retire";

	/** Where in a service's module its committed document is; Surefire runs tests in the module's directory. */
	public static final Path LOCATION = Path.of("src", "main", "openapi", "public-api.json");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private CommittedOpenApi() {
	}

	/**
	 * Fails unless {@code served} is the committed document of the module the test runs in (or records it, when
	 * asked to). Call it from the test method that should be named in the re-record command.
	 */
	public static void assertServedIsCommitted(PublishedOpenApi served) {
		StackWalker.StackFrame caller = StackWalker.getInstance()
			.walk((frames) -> frames.filter((frame) -> !frame.getClassName().equals(CommittedOpenApi.class.getName()))
				.findFirst()
				.orElseThrow());
		String test = caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1) + "#"
				+ caller.getMethodName();
		Path module = Path.of("").toAbsolutePath();
		assertServedIsCommitted(served.json(), module.resolve(LOCATION), recordCommand(module, test),
				Boolean.getBoolean(RECORD_PROPERTY), retiredVersions(System.getProperty(RETIRE_PROPERTY, "")));
	}

	/** The check itself, with everything the caller's environment decides passed in. */
	static void assertServedIsCommitted(JsonNode served, Path committedFile, String recordCommand, boolean record,
			List<String> retired) {
		String servedText = canonicalText(served);
		if (!Files.exists(committedFile)) {
			if (record) {
				write(committedFile, servedText);
				return;
			}
			throw new AssertionError("No committed OpenAPI document at " + committedFile
					+ ". Record the one the service serves with:\n  " + recordCommand);
		}
		String committedText = read(committedFile);
		if (JSON.readTree(committedText).equals(JSON.readTree(servedText))) {
			if (record && !committedText.equals(servedText)) {
				write(committedFile, servedText); // same document, laid out as recording lays it out
			}
			return;
		}
		OpenApiCompatibility.Report report = OpenApiCompatibility.compare(committedText, servedText);
		List<String> unexcused = report.breakingOutside(retired);
		if (!unexcused.isEmpty()) {
			String brokenVersions = String.join(",",
					unexcused.stream().map(OpenApiCompatibility::version).collect(Collectors.toCollection(TreeSet::new)));
			throw new AssertionError("The served OpenAPI breaks the committed one (" + committedFile + "):\n  - "
					+ String.join("\n  - ", unexcused) + "\nClients of a published version must keep working: "
					+ "make the change compatible, or ship it under a new version path (/v2/...) beside the old one."
					+ "\nOnly when retiring " + brokenVersions + " on purpose (docs/api.md, \"Compatibility: the "
					+ "committed documents\"), re-record naming it:\n  " + recordCommand + " -D" + RETIRE_PROPERTY + "="
					+ brokenVersions + "\n\nopenapi-diff's account of the changes:\n" + report.details());
		}
		if (record) {
			write(committedFile, servedText);
			return;
		}
		List<String> changes = new ArrayList<>(report.compatible());
		changes.addAll(report.breaking()); // only the retired versions' breaks are left here
		throw new AssertionError("The served OpenAPI differs from the committed one (" + committedFile
				+ ") without breaking it:\n  - "
				+ (changes.isEmpty() ? "no operation changed (descriptions, examples, metadata or unused schemas did)"
						: String.join("\n  - ", changes))
				+ "\nRe-record the committed document from the served one and commit it with the change:\n  "
				+ recordCommand + "\n\nopenapi-diff's account of the changes:\n" + report.details());
	}

	/**
	 * The document as it is committed: every object's keys in alphabetical order (springdoc's order may follow
	 * the handler scan), one member or element a line with two-space indentation, a final newline, so that a
	 * change is a small readable diff.
	 */
	public static String canonicalText(JsonNode document) {
		DefaultIndenter lines = new DefaultIndenter("  ", "\n");
		DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
			.withObjectNameValueSpacing(Separators.Spacing.AFTER)
			.withObjectEmptySeparator("")
			.withArrayEmptySeparator(""));
		// one array element a line too (a new enum value or required field is then a one-line diff)
		printer.indentObjectsWith(lines);
		printer.indentArraysWith(lines);
		return JSON.writer().with(printer).writeValueAsString(sorted(document)) + "\n";
	}

	private static JsonNode sorted(JsonNode node) {
		if (node.isObject()) {
			Map<String, JsonNode> properties = new TreeMap<>();
			node.forEachEntry((name, value) -> properties.put(name, sorted(value)));
			ObjectNode copy = JsonNodeFactory.instance.objectNode();
			properties.forEach(copy::set);
			return copy;
		}
		if (node.isArray()) {
			ArrayNode copy = JsonNodeFactory.instance.arrayNode();
			node.forEach((element) -> copy.add(sorted(element)));
			return copy;
		}
		return node;
	}

	static List<String> retiredVersions(String property) {
		return Arrays.stream(property.split(","))
			.map(String::trim)
			.filter((version) -> !version.isEmpty())
			.map((version) -> version.startsWith("/") ? version : "/" + version)
			.toList();
	}

	private static String recordCommand(Path module, String test) {
		return "mvn -pl " + module.getFileName() + " -am test -Dtest='" + test
				+ "' -Dsurefire.failIfNoSpecifiedTests=false -D" + RECORD_PROPERTY + "=true";
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void write(Path file, String text) {
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, text, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
