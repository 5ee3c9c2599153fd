package io.scalarhub.suite;

import io.scalarhub.suite.Suite.App;

/**
 * The gateway's bundled {@code application.yml}: the scope each public path needs (bundled, so that the gateway
 * enforces it even before config-server answers) and the Swagger UI's list of documents.
 */
final class GatewayScopeRules implements DerivedFile {

	@Override
	public String path() {
		return "gateway/src/main/resources/application.yml";
	}

	@Override
	public String render(Suite suite, String current) {
		String withRules = DerivedFile.replaceBlock(current, "scope-rules", GatewayRoutes.scopeRules(suite));
		StringBuilder urls = new StringBuilder();
		for (App app : suite.services()) {
			if (app.apiDocs() != null) {
				urls.append("      - { name: ").append(app.apiDocs()).append(", url: /api-docs/").append(app.name()).append(" }\n");
			}
		}
		return DerivedFile.replaceBlock(withRules, "swagger-ui-urls", urls.toString());
	}

}
