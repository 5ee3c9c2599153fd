package io.scalarhub.e2e;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus configuration and alert rules in {@code deploy/prometheus}: with {@code promtool} (Debian's
 * prometheus package; test.sh installs it where it can) the config and rules are checked and the rules'
 * unit tests run; without it the files are parsed and their shape checked here, so a broken rule file never
 * passes silently.
 */
class AlertRulesTest {

	static final Path PROMETHEUS = LocalSuite.REPO_ROOT.resolve("deploy/prometheus");

	/** What operators must be alerted about (issue 7): one alert each, at least. */
	static final List<String> REQUIRED_ALERTS = List.of("HighErrorRate", "HighLatencyP99", "CircuitOpen",
			"RateLimiterDegraded", "ReplicaLagHigh", "InstanceDown");

	@Test
	void everyRequiredAlertIsDefinedWithSeverityAndSummaryAndHasAUnitTest() throws IOException {
		List<Map<String, Object>> rules = alertRules();
		List<String> names = rules.stream().map((rule) -> (String) rule.get("alert")).toList();
		assertThat(names).containsAll(REQUIRED_ALERTS).doesNotHaveDuplicates();
		assertThat(rules).allSatisfy((rule) -> {
			assertThat((String) rule.get("expr")).as("expr of %s", rule.get("alert")).isNotBlank();
			assertThat(String.valueOf(rule.get("for"))).as("for of %s", rule.get("alert")).matches("\\d+[smh]");
			assertThat(((Map<?, ?>) rule.get("labels")).get("severity")).as("severity of %s", rule.get("alert"))
				.isIn("page", "ticket");
			assertThat((String) ((Map<?, ?>) rule.get("annotations")).get("summary")).isNotBlank();
		});
		String unitTests = Files.readString(PROMETHEUS.resolve("tests/alerts-test.yml"));
		assertThat(names).allSatisfy((name) -> assertThat(unitTests).contains("alertname: " + name));
		String config = Files.readString(PROMETHEUS.resolve("prometheus.yml"));
		assertThat(config).contains("eureka_sd_configs", "alerts.yml");
	}

	@Test
	void promtoolAcceptsTheConfigAndTheRulesPassTheirUnitTests() throws Exception {
		Path promtool = onPath("promtool");
		if (promtool == null) {
			// no promtool here: the structural checks above are what runs; parse the whole config at least
			assertThat(yaml(PROMETHEUS.resolve("prometheus.yml"))).containsKeys("scrape_configs", "rule_files");
			return;
		}
		assertThat(run(promtool, "check", "config", "prometheus.yml")).contains("SUCCESS");
		assertThat(run(promtool, "check", "rules", "alerts.yml")).contains("SUCCESS");
		assertThat(run(promtool, "test", "rules", "tests/alerts-test.yml")).contains("SUCCESS");
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> alertRules() throws IOException {
		List<Map<String, Object>> alerts = new ArrayList<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) yaml(PROMETHEUS.resolve("alerts.yml"))
			.get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				if (rule.containsKey("alert")) {
					alerts.add(rule);
				}
			}
		}
		return alerts;
	}

	private static Map<String, Object> yaml(Path file) throws IOException {
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			return new Yaml().load(reader);
		}
	}

	private static String run(Path promtool, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(promtool.toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
		return output;
	}

	private static Path onPath(String name) {
		return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
			.map((dir) -> Path.of(dir, name))
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
	}

}
