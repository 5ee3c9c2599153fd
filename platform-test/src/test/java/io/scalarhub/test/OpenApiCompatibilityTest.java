package io.scalarhub.test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The compatibility check the services' committed OpenAPI documents are held to, on hand-made documents: each
 * fixture under {@code openapi-compatibility/} changes one thing in {@code committed.yaml}. Deliberately
 * breaking fixtures must be caught, so the check is known not to pass everything.
 */
class OpenApiCompatibilityTest {

	static String fixture(String name) {
		try (InputStream in = OpenApiCompatibilityTest.class.getResourceAsStream("/openapi-compatibility/" + name)) {
			assertThat(in).as("fixture %s", name).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static OpenApiCompatibility.Report againstCommitted(String fixture) {
		return OpenApiCompatibility.compare(fixture("committed.yaml"), fixture(fixture));
	}

	@Test
	void theSameDocumentHasNoChanges() {
		OpenApiCompatibility.Report report = againstCommitted("committed.yaml");
		assertThat(report.breaking()).isEmpty();
		assertThat(report.compatible()).isEmpty();
	}

	@Test
	void aRemovedOperationIsBreaking() {
		assertThat(againstCommitted("removed-operation.yaml").breaking())
			.containsExactly("DELETE /v1/widgets/{id}: removed");
	}

	@Test
	void aRemovedResponsePropertyIsBreaking() {
		OpenApiCompatibility.Report report = againstCommitted("removed-response-property.yaml");
		// every operation that answers with a widget loses the field, the list in its page's items too;
		// openapi-diff alone would let an optional one go, and would not look into a 3.1 document's array items
		assertThat(report.breaking()).containsExactlyInAnyOrder(
				"POST /v1/widgets: incompatible responses (removed weight)",
				"GET /v1/widgets/{id}: incompatible responses (removed weight)",
				"GET /v1/widgets: incompatible responses (removed content[].weight)");
		assertThat(report.details()).contains("weight");
	}

	@Test
	void aNewRequiredRequestPropertyIsBreaking() {
		OpenApiCompatibility.Report report = againstCommitted("new-required-request-property.yaml");
		assertThat(report.breaking()).containsExactly("POST /v1/widgets: incompatible request body");
		assertThat(report.details()).contains("size");
	}

	@Test
	void aRemovedRequestPropertyIsBreaking() {
		// openapi-diff alone would let an optional one go; here a client still sending it would get a 400
		assertThat(againstCommitted("removed-request-property.yaml").breaking())
			.containsExactly("POST /v1/widgets: incompatible request body (removed color)");
	}

	@Test
	void aRetypedResponsePropertyIsBreaking() {
		assertThat(againstCommitted("retyped-response-property.yaml").breaking()).containsExactlyInAnyOrder(
				"POST /v1/widgets: incompatible responses", "GET /v1/widgets/{id}: incompatible responses",
				"GET /v1/widgets: incompatible responses");
	}

	@Test
	void aNarrowedRequestEnumIsBreaking() {
		assertThat(againstCommitted("narrowed-request-enum.yaml").breaking())
			.containsExactly("POST /v1/widgets: incompatible request body");
	}

	@Test
	void anAddedOptionalPropertyIsNotBreaking() {
		OpenApiCompatibility.Report report = againstCommitted("added-optional-request-property.yaml");
		assertThat(report.breaking()).isEmpty();
		// not breaking, but a difference all the same: the committed document must be re-recorded
		assertThat(report.compatible()).contains("POST /v1/widgets: changed compatibly");
	}

	@Test
	void anAddedVersionPathIsNotBreaking() {
		OpenApiCompatibility.Report report = againstCommitted("added-v2-path.yaml");
		assertThat(report.breaking()).isEmpty();
		assertThat(report.compatible()).containsExactly("GET /v2/widgets/{id}: added");
	}

	@Test
	void aNewVersionPathDoesNotExcuseBreakingTheCommittedOne() {
		OpenApiCompatibility.Report report = againstCommitted("v2-and-removed-v1-operation.yaml");
		assertThat(report.breaking()).containsExactly("DELETE /v1/widgets/{id}: removed");
		assertThat(report.compatible()).containsExactly("GET /v2/widgets/{id}: added");
	}

	@Test
	void retiringAVersionExcusesOnlyThatVersion() {
		OpenApiCompatibility.Report report = againstCommitted("only-v2.yaml");
		assertThat(report.breaking()).containsExactlyInAnyOrder("GET /v1/widgets: removed",
				"POST /v1/widgets: removed", "GET /v1/widgets/{id}: removed", "DELETE /v1/widgets/{id}: removed");
		assertThat(report.breakingOutside(List.of("/v1"))).isEmpty();
		assertThat(report.breakingOutside(List.of("/v3"))).hasSize(4);
	}

	/** A construct openapi-diff would not compare as 3.0 fails the check rather than pass unseen. */
	@Test
	void aDocumentOpenApiDiffCannotFullyReadIsRefused() {
		String nullableAs31 = fixture("committed.yaml").replace("weight: { type: integer, format: int64 }",
				"weight: { type: [integer, \"null\"], format: int64 }");
		assertThatThrownBy(() -> OpenApiCompatibility.compare(fixture("committed.yaml"), nullableAs31))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("cannot compare this document as OpenAPI 3.0");
		assertThatThrownBy(() -> OpenApiCompatibility.compare(fixture("committed.yaml"), "{\"swagger\": \"2.0\"}"))
			.hasMessageContaining("not an OpenAPI 3 document");
	}

	@Test
	void theVersionOfAPathIsItsFirstSegment() {
		assertThat(OpenApiCompatibility.version("GET /v1/customers/{id}")).isEqualTo("/v1");
		assertThat(OpenApiCompatibility.version("GET /v12")).isEqualTo("/v12");
		assertThat(OpenApiCompatibility.version("GET /version/x")).isEmpty();
		assertThat(OpenApiCompatibility.version("GET /customers")).isEmpty();
	}

}
