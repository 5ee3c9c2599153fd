package io.scalarhub.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a service's test does with its committed document, on the hand-made fixtures: the served document
 * ({@code served}) against a committed file in a temporary module.
 */
class CommittedOpenApiTest {

	static final String COMMAND = "mvn -pl widget-service -am test -Dtest='WidgetApiTest#x' -Dscalarhub.openapi.record=true";

	@TempDir
	Path module;

	static JsonNode served(String fixture) {
		Object document = new Yaml().load(OpenApiCompatibilityTest.fixture(fixture));
		return JsonMapper.builder().build().valueToTree(document);
	}

	Path committed(String fixture) throws IOException {
		Path file = this.module.resolve(CommittedOpenApi.LOCATION);
		Files.createDirectories(file.getParent());
		Files.writeString(file, CommittedOpenApi.canonicalText(served(fixture)));
		return file;
	}

	void check(String servedFixture, Path file, boolean record, List<String> retired) {
		CommittedOpenApi.assertServedIsCommitted(served(servedFixture), file, COMMAND, record, retired);
	}

	@Test
	void theSameDocumentPasses() throws IOException {
		check("committed.yaml", committed("committed.yaml"), false, List.of());
	}

	@Test
	void aMissingDocumentFailsWithTheCommandThatRecordsIt() {
		Path file = this.module.resolve(CommittedOpenApi.LOCATION);
		assertThatThrownBy(() -> check("committed.yaml", file, false, List.of()))
			.hasMessageContaining("No committed OpenAPI document")
			.hasMessageContaining(COMMAND);
		check("committed.yaml", file, true, List.of());
		assertThat(file).hasContent(CommittedOpenApi.canonicalText(served("committed.yaml")));
	}

	@Test
	void aCompatibleDifferenceFailsWithTheCommandThatReRecords() throws IOException {
		Path file = committed("committed.yaml");
		assertThatThrownBy(() -> check("added-v2-path.yaml", file, false, List.of()))
			.hasMessageContaining("differs from the committed one")
			.hasMessageContaining("GET /v2/widgets/{id}: added")
			.hasMessageContaining(COMMAND);
		assertThat(file).hasContent(CommittedOpenApi.canonicalText(served("committed.yaml")));
	}

	@Test
	void recordingWritesTheServedDocument() throws IOException {
		Path file = committed("committed.yaml");
		check("added-optional-request-property.yaml", file, true, List.of());
		assertThat(file).hasContent(CommittedOpenApi.canonicalText(served("added-optional-request-property.yaml")));
		check("added-optional-request-property.yaml", file, false, List.of());
	}

	@Test
	void aBreakingChangeFailsWithTheListAndIsNeverRecorded() throws IOException {
		Path file = committed("committed.yaml");
		for (boolean record : new boolean[] { false, true }) {
			assertThatThrownBy(() -> check("v2-and-removed-v1-operation.yaml", file, record, List.of()))
				.hasMessageContaining("breaks the committed one")
				.hasMessageContaining("- DELETE /v1/widgets/{id}: removed")
				.hasMessageNotContaining("GET /v2/widgets/{id}: added")
				.hasMessageContaining(COMMAND + " -Dscalarhub.openapi.retire=/v1");
		}
		assertThat(file).hasContent(CommittedOpenApi.canonicalText(served("committed.yaml")));
	}

	@Test
	void retiringAVersionRecordsItsRemovalAndNothingElse() throws IOException {
		Path file = committed("committed.yaml");
		assertThatThrownBy(() -> check("only-v2.yaml", file, true, List.of("/v2")))
			.hasMessageContaining("breaks the committed one");
		// not recording, the retired version's removal is still a difference to re-record
		assertThatThrownBy(() -> check("only-v2.yaml", file, false, List.of("/v1")))
			.hasMessageContaining("differs from the committed one")
			.hasMessageContaining("POST /v1/widgets: removed");
		check("only-v2.yaml", file, true, CommittedOpenApi.retiredVersions("v1"));
		assertThat(file).hasContent(CommittedOpenApi.canonicalText(served("only-v2.yaml")));
	}

	@Test
	void theCommittedLayoutIsSortedAndOneValueALine() {
		String text = CommittedOpenApi.canonicalText(served("committed.yaml"));
		assertThat(text).startsWith("{\n  \"components\": {").endsWith("}\n");
		assertThat(text.indexOf("\"info\"")).isLessThan(text.indexOf("\"openapi\"")).isLessThan(text.indexOf("\"paths\""));
		assertThat(text).contains("\"required\": [\n          \"name\"\n        ],");
	}

}
