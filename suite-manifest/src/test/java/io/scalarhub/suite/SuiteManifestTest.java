package io.scalarhub.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * deploy/suite.yml is the one list of the suite: every generated file is what it says, and every place that still
 * names the apps by hand (module list, each app's own configuration, auth-server's service identities, the docs)
 * agrees with it. Adding an app to the manifest and forgetting one of these fails here, with the place named.
 */
class SuiteManifestTest {

	private static final Path ROOT = Suite.repositoryRoot();

	private static final Suite SUITE = Suite.load(ROOT);

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	@TestFactory
	Stream<DynamicTest> everyGeneratedFileIsWhatTheManifestSays() {
		return Derivations.all(SUITE, ROOT).stream().map((derived) -> DynamicTest.dynamicTest(derived.path(), () -> {
			Path file = ROOT.resolve(derived.path());
			String current = Files.exists(file) ? Files.readString(file) : null;
			assertThat(current).as("%s is missing: run deploy/generate.sh", derived.path()).isNotNull();
			assertThat(current).as("%s differs from deploy/suite.yml: run deploy/generate.sh and commit it",
					derived.path())
				.isEqualTo(derived.render(SUITE, current));
		}));
	}

	@Test
	void aFolderGenerationOwnsHoldsNothingElse() throws IOException {
		Set<String> derived = new TreeSet<>(Derivations.all(SUITE, ROOT).stream().map(DerivedFile::path).toList());
		for (String folder : Derivations.ownedFolders()) {
			assertThat(Generate.stale(ROOT, folder, derived))
				.as("files in %s that deploy/suite.yml no longer makes: run deploy/generate.sh", folder)
				.isEmpty();
		}
	}

	@Test
	void everySpringBootAppOfTheBuildIsListedAndEveryListedAppIsAModule() throws IOException {
		String rootPom = Files.readString(ROOT.resolve("pom.xml"));
		Set<String> modules = new TreeSet<>();
		Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(rootPom);
		while (module.find()) {
			modules.add(module.group(1));
		}
		Set<String> bootApps = new TreeSet<>();
		for (String name : modules) {
			Path sources = ROOT.resolve(name).resolve("src/main/java");
			if (Files.isDirectory(sources)) {
				try (Stream<Path> files = Files.walk(sources)) {
					if (files.filter((file) -> file.toString().endsWith(".java"))
						.anyMatch((file) -> read(file).contains("@SpringBootApplication"))) {
						bootApps.add(name);
					}
				}
			}
		}
		assertThat(bootApps).as("the Maven modules with a @SpringBootApplication")
			.containsExactlyInAnyOrderElementsOf(names(SUITE.apps()));
	}

	@Test
	void eachAppListensWhereTheManifestSays() throws IOException {
		for (App app : SUITE.apps()) {
			String config = Files.readString(ROOT.resolve(app.name()).resolve("src/main/resources/application.yml"));
			assertThat(config).as("%s's application.yml: server.port", app.name())
				.contains("${SERVER_PORT:" + app.port() + "}");
			if (!app.startsFirst()) {
				assertThat(config).as("%s's application.yml: management.server.port", app.name())
					.contains("${MANAGEMENT_SERVER_PORT:" + app.managementPort() + "}");
			}
		}
	}

	@Test
	void eachAppServedByConfigServerHasItsFileAndItsDatabase() throws IOException {
		for (App app : SUITE.apps()) {
			if (app.startsFirst()) {
				continue;
			}
			Path file = ROOT.resolve("deploy/config").resolve(app.name() + ".yml");
			assertThat(file).as("config-server's file for %s", app.name()).isRegularFile();
			JsonNode config = YAML.readTree(Files.readString(file));
			String database = config.path("scalarhub").path("db").path("name").asString(null);
			assertThat(database).as("%s: scalarhub.db.name in %s", app.name(), file).isEqualTo(app.database());
		}
	}

	@Test
	void everyServiceThatCallsAnotherHasAServiceIdentityAtAuthServer() throws IOException {
		JsonNode clients = YAML.readTree(Files.readString(ROOT.resolve("deploy/config/auth-server.yml")))
			.path("scalarhub")
			.path("auth")
			.path("clients");
		for (App app : SUITE.services()) {
			if (app.calls().isEmpty()) {
				continue;
			}
			JsonNode identity = clients.path(app.name());
			assertThat(identity.isMissingNode()).as("auth-server client for %s, which calls %s", app.name(), app.calls())
				.isFalse();
			assertThat(identity.path("scopes").valueStream().map(JsonNode::asString)).as(app.name()).contains("internal");
		}
	}

	@Test
	void theArchitectureDocumentNamesEveryApp() throws IOException {
		String architecture = Files.readString(ROOT.resolve("docs/architecture.md"));
		for (App app : SUITE.apps()) {
			assertThat(architecture).as("docs/architecture.md's module table")
				.contains("| `" + app.name() + "` |");
		}
	}

	@Test
	void theGatewayCallsAuthServerAndEveryRoutedApp() {
		App gateway = SUITE.ofKind(Kind.EDGE).get(0);
		assertThat(SUITE.callees(gateway)).contains("config-server", "discovery", "auth-server")
			.containsAll(names(SUITE.services()));
		assertThat(SUITE.callees(SUITE.app("customer-service"))).containsExactly("config-server", "discovery",
				"auth-server", "account-service", "subscription-service");
		assertThat(SUITE.callees(SUITE.app("discovery"))).containsExactly("config-server");
		// a Eureka client: it registers, so that Prometheus finds it
		assertThat(SUITE.callees(SUITE.app("auth-server"))).containsExactly("config-server", "discovery");
		assertThat(SUITE.callees(SUITE.app("config-server"))).isEmpty();
	}

	@Test
	void aManifestThatContradictsItselfIsRefused() {
		App first = new App("config-server", Kind.INFRASTRUCTURE, 8888, true, null, false, false, null, null, null, null);
		App edge = new App("gateway", Kind.EDGE, 8080, false, null, false, true, null, null, null, null);
		assertThatIllegalArgumentException().isThrownBy(() -> new Suite(List.of(first, edge,
				new App("a-service", Kind.SERVICE, 8080, false, "a", true, false, null, null, null, null))))
			.withMessageContaining("port taken");
		assertThatIllegalArgumentException().isThrownBy(() -> new Suite(List.of(first, edge,
				new App("a-service", Kind.SERVICE, 8086, false, "a", true, false, List.of("b-service"), null, null, null))))
			.withMessageContaining("calls unknown app b-service");
		assertThatIllegalArgumentException().isThrownBy(() -> new Suite(List.of(first, edge,
				new App("a-service", Kind.SERVICE, 8086, false, null, true, false, null, null, null, null))))
			.withMessageContaining("a replica needs a database");
		// an option goes through a shell word, a YAML scalar and a Dockerfile build argument unchanged, or not at all
		for (String options : List.of("Xmx96m", "-Dx=$HOME", "-Dname='a b'", "-XX:OnError=\\x")) {
			assertThatIllegalArgumentException().isThrownBy(() -> new Suite(List.of(first, edge,
					new App("a-service", Kind.SERVICE, 8086, false, null, false, false, null, null, null, options))))
				.withMessageContaining("a-service: JVM option");
		}
	}

	@Test
	void anAppsJvmOptionsAreItsOwnWordsInTheOrderListed() {
		App edge = new App("gateway", Kind.EDGE, 8080, false, null, false, true, null, null, null,
				" -XX:SurvivorRatio=4   -XX:TargetSurvivorRatio=90 ");
		assertThat(edge.jvmOptionList()).containsExactly("-XX:SurvivorRatio=4", "-XX:TargetSurvivorRatio=90");
		assertThat(new App("a-service", Kind.SERVICE, 8086, false, null, false, false, null, null, null, null)
			.jvmOptionList()).isEmpty();
		// the manifest's own: the control plane runs C1 alone with the tiered code cache's size, the gateway its
		// survivor spaces (what the local launcher and the images pass on)
		assertThat(SUITE.app("config-server").jvmOptionList()).contains("-XX:TieredStopAtLevel=1",
				"-XX:ReservedCodeCacheSize=240m");
		assertThat(SUITE.app("gateway").jvmOptionList()).contains("-XX:SurvivorRatio=4");
		assertThat(SUITE.services()).allSatisfy((service) -> assertThat(service.jvmOptionList()).isEmpty());
	}

	@Test
	void anOverlaysImagesTakeTheReleaseTagAndAServiceReleasedAloneKeepsItsOwn() {
		KubernetesOverlayImages images = new KubernetesOverlayImages("production");
		String overlay = "images:\n  # BEGIN generated: images (x) registry=r.example/sh tag=1.0.0 customer-service=1.0.1\n"
				+ "  # END generated: images\n";
		String rendered = images.render(SUITE, overlay);
		assertThat(rendered).contains("""
				  - name: scalarhub/customer-service
				    newName: r.example/sh/customer-service
				    newTag: "1.0.1"
				""").contains("""
				  - name: scalarhub/account-service
				    newName: r.example/sh/account-service
				    newTag: "1.0.0"
				""");
		assertThat(rendered.split("newTag")).hasSize(SUITE.apps().size() + 1);
		assertThatIllegalStateException()
			.isThrownBy(() -> images.render(SUITE, overlay.replace("customer-service=1.0.1", "gateway=latest")))
			.withMessageContaining("never latest (gateway)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> images.render(SUITE, overlay.replace("customer-service=", "no-such-service=")))
			.withMessageContaining("no app no-such-service");
	}

	@Test
	void aGeneratedBlockIsReplacedAndTheRestOfItsFileKept() {
		String file = "head\n  # BEGIN generated: x (note)\n  old\n  # END generated: x\ntail\n";
		assertThat(DerivedFile.replaceBlock(file, "x", "  new\n"))
			.isEqualTo("head\n  # BEGIN generated: x (note)\n  new\n  # END generated: x\ntail\n");
	}

	private static List<String> names(List<App> apps) {
		return apps.stream().map(App::name).toList();
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
