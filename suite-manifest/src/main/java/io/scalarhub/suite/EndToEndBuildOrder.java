package io.scalarhub.suite;

import io.scalarhub.suite.Suite.App;

/**
 * e2e-tests' build order: a pom-type test dependency on every app, so that the reactor packages all of them before
 * the end-to-end test starts the suite from their jars.
 */
final class EndToEndBuildOrder implements DerivedFile {

	@Override
	public String path() {
		return "e2e-tests/pom.xml";
	}

	@Override
	public String render(Suite suite, String current) {
		StringBuilder dependencies = new StringBuilder();
		for (App app : suite.apps()) {
			dependencies.append("    <dependency><groupId>io.scalarhub</groupId><artifactId>").append(app.name())
				.append("</artifactId><version>${project.version}</version><type>pom</type><scope>test</scope></dependency>\n");
		}
		return DerivedFile.replaceBlock(current, "apps", dependencies.toString());
	}

}
