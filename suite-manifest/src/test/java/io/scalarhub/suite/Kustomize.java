package io.scalarhub.suite;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * An overlay of deploy/k8s as {@code kubectl kustomize} renders it: what {@code kubectl apply -k} would send. kubectl
 * is required, never optional (deploy/local/test.sh installs it where it can): without it nothing here is checked.
 */
final class Kustomize {

	static final List<String> OVERLAYS = List.of("local", "production");

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private static final Map<String, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

	private Kustomize() {
	}

	/** The overlay's objects; each call gets its own copy to change. */
	static List<ObjectNode> render(Path root, String overlay) {
		return RENDERED.computeIfAbsent(overlay, (name) -> parse(run(root, name)))
			.stream()
			.map(ObjectNode::deepCopy)
			.toList();
	}

	static List<ObjectNode> parse(String yaml) {
		try {
			return YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
				.filter((document) -> document != null && !document.isNull() && !document.isMissingNode())
				.map((document) -> (ObjectNode) document)
				.toList();
		}
		catch (RuntimeException ex) {
			throw new AssertionError("kubectl kustomize wrote YAML that does not parse: " + ex.getMessage(), ex);
		}
	}

	private static String run(Path root, String overlay) {
		String kubectl = kubectl();
		String version = execute(List.of(kubectl, "version", "--client"), "kubectl version --client");
		Matcher kustomize = Pattern.compile("Kustomize Version: v(\\d+)").matcher(version);
		if (!kustomize.find() || Integer.parseInt(kustomize.group(1)) < 5) {
			// the overlays' patches (targets by kind and label) need kustomize 5 (kubectl 1.27 or later)
			throw new AssertionError(kubectl + " has no kustomize 5 (kubectl 1.27 or later needed): "
					+ version.strip());
		}
		return execute(List.of(kubectl, "kustomize", root.resolve("deploy/k8s/overlays").resolve(overlay).toString()),
				"kubectl kustomize deploy/k8s/overlays/" + overlay);
	}

	private static String execute(List<String> command, String what) {
		try {
			Path errors = Files.createTempFile("kustomize", ".err");
			Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError(what + " did not finish in 120 s");
			}
			String err = Files.readString(errors);
			Files.delete(errors);
			if (process.exitValue() != 0) {
				throw new AssertionError(what + " failed (" + process.exitValue() + "): " + err);
			}
			return out;
		}
		catch (IOException ex) {
			throw new AssertionError("cannot run " + what + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/** $KUBECTL, else kubectl on the PATH; a clear failure, not a skip, when there is none. */
	private static String kubectl() {
		String configured = System.getenv("KUBECTL");
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			Path candidate = Path.of(dir, "kubectl");
			if (Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		throw new AssertionError("kubectl is not installed (or set KUBECTL to it): the Kubernetes manifests are"
				+ " rendered with kubectl kustomize and cannot be checked without it. deploy/local/test.sh installs it"
				+ " where it can; see deploy/k8s/README.md");
	}

}
