package io.scalarhub.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/k8s as Kubernetes would receive it: each overlay rendered by {@code kubectl kustomize}, every object read
 * strictly into the API's model (StrictKubernetesModel), and the suite's rules for running in a cluster held by
 * every overlay. Each rule is also shown to catch its own breach: it is run once more on a rendering broken on
 * purpose, and must object.
 */
class KubernetesManifestsTest {

	private static final Path ROOT = Suite.repositoryRoot();

	private static final Suite SUITE = Suite.load(ROOT);

	private static final String MANAGEMENT_PORT_NAME = "management";

	/** What a JVM of the suite uses beside its heap: about 150-170 MiB measured (docs/performance.md). */
	private static final long NON_HEAP_MIB = 150;

	/** Boot's graceful shutdown, after the drain, lets in-flight requests finish: the apps' longest timeout, 8 s. */
	private static final Duration IN_FLIGHT = Duration.ofSeconds(15);

	// ---- the API model --------------------------------------------------------------------------------------

	@TestFactory
	Stream<DynamicNode> everyRenderedObjectIsValidInTheKubernetesApi() {
		return Kustomize.OVERLAYS.stream()
			.map((overlay) -> DynamicContainer.dynamicContainer(overlay,
					Kustomize.render(ROOT, overlay).stream().map((object) -> DynamicTest.dynamicTest(
							object.path("kind").asString() + " " + object.path("metadata").path("name").asString(),
							() -> assertThat(StrictKubernetesModel.problems(object)).isEmpty()))));
	}

	@Test
	void theStrictReadingRefusesWhatTheApiWouldNot() {
		ObjectNode deployment = object(Kustomize.render(ROOT, "production"), "Deployment", "gateway");
		((ObjectNode) container(deployment).get("securityContext")).put("runAsNonRoott", true);
		assertThat(StrictKubernetesModel.problems(deployment)).singleElement()
			.asString()
			.contains("spec.template.spec.containers[0].securityContext", "runAsNonRoott");

		ObjectNode misplaced = object(Kustomize.render(ROOT, "production"), "Deployment", "gateway");
		JsonNode probe = container(misplaced).get("readinessProbe");
		((ObjectNode) misplaced.at("/spec/template/spec")).set("readinessProbe", probe);
		assertThat(StrictKubernetesModel.problems(misplaced)).singleElement().asString().contains("readinessProbe");

		ObjectNode wrongType = object(Kustomize.render(ROOT, "production"), "StatefulSet", "discovery");
		((ObjectNode) wrongType.get("spec")).put("replicas", "two");
		assertThat(StrictKubernetesModel.problems(wrongType)).singleElement().asString().contains("replicas");

		ObjectNode unknownKind = object(Kustomize.render(ROOT, "production"), "Service", "gateway");
		unknownKind.put("kind", "Servicee");
		assertThat(StrictKubernetesModel.problems(unknownKind)).singleElement()
			.asString()
			.contains("not a kind of the Kubernetes API");

		ObjectNode pooler = object(Kustomize.render(ROOT, "production"), "Pooler", KubernetesApp.PG_POOLER_RO);
		((ObjectNode) pooler.at("/spec/pgbouncer")).put("poolMod", "transaction");
		((ObjectNode) pooler.at("/spec/template/spec/containers/0")).put("resourcez", "");
		assertThat(StrictKubernetesModel.problems(pooler)).hasSize(2)
			.anySatisfy((problem) -> assertThat(problem).contains("poolMod"))
			.anySatisfy((problem) -> assertThat(problem).contains("resourcez"));

		ObjectNode cluster = object(Kustomize.render(ROOT, "production"), "Cluster", KubernetesApp.PG_CLUSTER);
		((ObjectNode) cluster.get("spec")).put("primaryUpdateStrategy", "whenever");
		((ObjectNode) cluster.get("spec")).remove("instances");
		assertThat(StrictKubernetesModel.problems(cluster)).hasSize(2);
	}

	// ---- the rules every overlay holds, each with the breach it must catch ------------------------------------

	record Rule(String name, Function<List<ObjectNode>, List<String>> violations, Consumer<List<ObjectNode>> breach) {
	}

	static List<Rule> rules() {
		return List.of(
				new Rule("every app has startup, readiness and liveness probes on its management port",
						KubernetesManifestsTest::probeViolations,
						(objects) -> container(object(objects, "Deployment", "gateway")).remove("readinessProbe")),
				new Rule("every container has CPU and memory requests and limits",
						KubernetesManifestsTest::resourceViolations,
						(objects) -> ((ObjectNode) container(object(objects, "Deployment", "customer-service"))
							.at("/resources/limits")).remove("cpu")),
				new Rule("every app has a HorizontalPodAutoscaler (the registry: a fixed set of peers)",
						KubernetesManifestsTest::autoscalerViolations,
						(objects) -> objects.remove(object(objects, "HorizontalPodAutoscaler", "product-service"))),
				new Rule("every app has a PodDisruptionBudget", KubernetesManifestsTest::disruptionBudgetViolations,
						(objects) -> objects.remove(object(objects, "PodDisruptionBudget", "auth-server"))),
				new Rule("every app has a NetworkPolicy of its own, in and out",
						KubernetesManifestsTest::networkPolicyViolations,
						(objects) -> ((ArrayNode) object(objects, "NetworkPolicy", "config-server")
							.at("/spec/policyTypes")).removeAll().add("Ingress")),
				new Rule("each app's NetworkPolicy lets in its callers and out to its callees, no more",
						KubernetesManifestsTest::callGraphViolations,
						(objects) -> ((ArrayNode) object(objects, "NetworkPolicy", "customer-service")
							.at("/spec/egress")).add(egressTo("product-service", 8084))),
				new Rule("nothing in the namespace talks unless a policy says so",
						KubernetesManifestsTest::defaultDenyViolations,
						(objects) -> objects.remove(object(objects, "NetworkPolicy", "default-deny"))),
				new Rule("no image is latest or untagged", KubernetesManifestsTest::imageViolations,
						(objects) -> container(object(objects, "Deployment", "account-service")).put("image",
								"scalarhub/account-service:latest")),
				new Rule("no container is privileged, root, able to escalate, or writes its root filesystem",
						KubernetesManifestsTest::privilegeViolations,
						(objects) -> ((ObjectNode) container(object(objects, "Deployment", "redis"))
							.get("securityContext")).put("privileged", true)),
				new Rule("secrets are referenced, never written", KubernetesManifestsTest::secretViolations,
						(objects) -> env(container(object(objects, "Deployment", "transaction-service")), "ENCRYPT_KEY")
							.ifPresent((variable) -> {
								variable.remove("valueFrom");
								variable.put("value", "k");
							})),
				new Rule("each app gets the secrets it needs and no other",
						KubernetesManifestsTest::secretScopeViolations,
						(objects) -> ((ArrayNode) container(object(objects, "Deployment", "config-server")).get("env"))
							.add(env(container(object(objects, "Deployment", "gateway")), "ENCRYPT_KEY")
								.orElseThrow())),
				new Rule("a stopping pod has time to leave rotation and finish its requests",
						KubernetesManifestsTest::terminationViolations,
						(objects) -> ((ObjectNode) object(objects, "Deployment", "subscription-service")
							.at("/spec/template/spec")).put("terminationGracePeriodSeconds", 20)),
				new Rule("every JVM's heap follows its memory limit", KubernetesManifestsTest::heapViolations,
						(objects) -> env(container(object(objects, "Deployment", "product-service")),
								"JAVA_TOOL_OPTIONS")
							.ifPresent((variable) -> variable.put("value", value(variable) + " -Xmx2g"))),
				new Rule("every app spreads its pods over nodes", KubernetesManifestsTest::spreadViolations,
						(objects) -> ((ObjectNode) object(objects, "Deployment", "gateway").at("/spec/template/spec"))
							.remove("topologySpreadConstraints")));
	}

	@TestFactory
	Stream<DynamicNode> everyOverlayHoldsEveryRule() {
		return Kustomize.OVERLAYS.stream()
			.map((overlay) -> DynamicContainer.dynamicContainer(overlay,
					rules().stream().map((rule) -> DynamicTest.dynamicTest(rule.name(),
							() -> assertThat(rule.violations().apply(Kustomize.render(ROOT, overlay))).isEmpty()))));
	}

	@TestFactory
	Stream<DynamicTest> eachRuleCatchesItsBreach() {
		return rules().stream().map((rule) -> DynamicTest.dynamicTest(rule.name(), () -> {
			List<ObjectNode> broken = new ArrayList<>(Kustomize.render(ROOT, "production"));
			rule.breach().accept(broken);
			assertThat(rule.violations().apply(broken)).as("the rule's verdict on a rendering that breaks it")
				.isNotEmpty();
		}));
	}

	static List<String> probeViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			Optional<ObjectNode> workload = workload(objects, app);
			if (workload.isEmpty()) {
				violations.add(app.name() + ": no Deployment or StatefulSet");
				continue;
			}
			ObjectNode container = container(workload.get());
			boolean managementPort = container.path("ports").valueStream()
				.anyMatch((port) -> port.path("name").asString().equals(MANAGEMENT_PORT_NAME)
						&& port.path("containerPort").asInt() == app.managementPort());
			if (!managementPort) {
				violations.add(app.name() + ": no port named " + MANAGEMENT_PORT_NAME + " = " + app.managementPort());
			}
			Map<String, String> paths = Map.of("startupProbe", "/actuator/health/liveness", "readinessProbe",
					"/actuator/health/readiness", "livenessProbe", "/actuator/health/liveness");
			paths.forEach((probe, path) -> {
				JsonNode get = container.path(probe).path("httpGet");
				if (!get.path("path").asString().equals(path)
						|| !get.path("port").asString().equals(MANAGEMENT_PORT_NAME)) {
					violations.add(app.name() + ": " + probe + " is not GET " + path + " on the management port");
				}
			});
		}
		return violations;
	}

	static List<String> resourceViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (ObjectNode workload : workloads(objects)) {
			containers(workload).forEach((container) -> requestsAndLimits(container.path("resources"),
					name(workload) + "/" + container.path("name").asString(), violations));
		}
		objects.stream().filter((object) -> object.path("kind").asString().equals("Pooler"))
			.forEach((pooler) -> pooler.at("/spec/template/spec/containers").valueStream().forEach(
					(container) -> requestsAndLimits(container.path("resources"), name(pooler), violations)));
		objects.stream().filter((object) -> object.path("kind").asString().equals("Cluster"))
			.forEach((cluster) -> requestsAndLimits(cluster.at("/spec/resources"), name(cluster), violations));
		return violations;
	}

	private static void requestsAndLimits(JsonNode resources, String where, List<String> violations) {
		for (String bound : List.of("requests", "limits")) {
			for (String resource : List.of("cpu", "memory")) {
				if (resources.path(bound).path(resource).asString("").isEmpty()) {
					violations.add(where + ": no " + resource + " " + bound);
				}
			}
		}
	}

	static List<String> autoscalerViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			if (KubernetesApp.isRegistry(app)) {
				// Eureka peers list each other by name: an autoscaler would add peers nobody replicates to
				Optional<ObjectNode> peers = workload(objects, app);
				if (peers.isEmpty() || !peers.get().path("kind").asString().equals("StatefulSet")
						|| peers.get().at("/spec/replicas").asInt() < 2) {
					violations.add(app.name() + ": not a StatefulSet of at least two peers");
				}
				continue;
			}
			boolean scaled = objects.stream().filter((object) -> kind(object, "HorizontalPodAutoscaler"))
				.anyMatch((hpa) -> hpa.at("/spec/scaleTargetRef/kind").asString().equals("Deployment")
						&& hpa.at("/spec/scaleTargetRef/name").asString().equals(app.name())
						&& hpa.at("/spec/minReplicas").asInt() >= 1
						&& hpa.at("/spec/maxReplicas").asInt() > hpa.at("/spec/minReplicas").asInt()
						&& hpa.at("/spec/metrics").valueStream()
							.anyMatch((metric) -> metric.at("/resource/name").asString().equals("cpu")));
			if (!scaled) {
				violations.add(app.name() + ": no HorizontalPodAutoscaler on CPU for its Deployment");
			}
			workload(objects, app).filter((deployment) -> deployment.at("/spec/replicas").isNumber())
				.ifPresent((deployment) -> violations.add(app.name() + ": spec.replicas fights the autoscaler"));
		}
		return violations;
	}

	static List<String> disruptionBudgetViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			Optional<ObjectNode> workload = workload(objects, app);
			boolean budgeted = workload.isPresent() && objects.stream()
				.filter((object) -> kind(object, "PodDisruptionBudget"))
				.anyMatch((pdb) -> selects(pdb.at("/spec/selector"), podLabels(workload.get()))
						&& (pdb.at("/spec/maxUnavailable").isNumber() || pdb.at("/spec/minAvailable").isNumber()));
			if (!budgeted) {
				violations.add(app.name() + ": no PodDisruptionBudget selects its pods");
			}
		}
		return violations;
	}

	static List<String> networkPolicyViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			Optional<ObjectNode> policy = appPolicy(objects, app);
			if (policy.isEmpty()) {
				violations.add(app.name() + ": no NetworkPolicy of its own");
				continue;
			}
			Set<String> types = new TreeSet<>(policy.get().at("/spec/policyTypes").valueStream().map(JsonNode::asString)
				.toList());
			if (!types.equals(Set.of("Egress", "Ingress"))) {
				violations.add(app.name() + ": its NetworkPolicy governs " + types + ", not both ways");
			}
			if (workload(objects, app).map((workload) -> !selects(policy.get().at("/spec/podSelector"),
					podLabels(workload))).orElse(true)) {
				violations.add(app.name() + ": its NetworkPolicy does not select its pods");
			}
		}
		return violations;
	}

	static List<String> callGraphViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			Optional<ObjectNode> policy = appPolicy(objects, app);
			if (policy.isEmpty()) {
				continue;
			}
			Set<String> expectedOut = new TreeSet<>(SUITE.callees(app));
			Set<String> expectedIn = new TreeSet<>();
			SUITE.apps().stream().filter((other) -> SUITE.callees(other).contains(app.name()))
				.forEach((caller) -> expectedIn.add(caller.name()));
			if (KubernetesApp.isRegistry(app)) {
				expectedOut.add(app.name());
				expectedIn.add(app.name());
			}
			Set<String> out = appNames(policy.get().at("/spec/egress"), "to");
			Set<String> in = appNames(policy.get().at("/spec/ingress"), "from");
			if (!out.equals(expectedOut)) {
				violations.add(app.name() + ": out to " + out + ", the manifest draws " + expectedOut);
			}
			if (app.kind() == Kind.EDGE) {
				// the public door: anyone, on its API port and nothing else
				boolean open = policy.get().at("/spec/ingress").valueStream()
					.anyMatch((rule) -> rule.path("from").isMissingNode() && rule.path("ports").size() == 1
							&& rule.at("/ports/0/port").asInt() == app.port());
				if (!open) {
					violations.add(app.name() + ": not open to consumers on " + app.port() + " alone");
				}
			}
			else if (!in.equals(expectedIn)) {
				violations.add(app.name() + ": in from " + in + ", the manifest draws " + expectedIn);
			}
			policy.get().at("/spec/ingress").valueStream()
				.filter((rule) -> rule.path("from").isMissingNode() || rule.path("from").isEmpty())
				.filter((rule) -> app.kind() != Kind.EDGE)
				.forEach((rule) -> violations.add(app.name() + ": lets in anyone"));
			policy.get().at("/spec/egress").valueStream()
				.filter((rule) -> rule.path("to").isMissingNode() || rule.path("to").isEmpty())
				.forEach((rule) -> violations.add(app.name() + ": lets out to anywhere"));
		}
		return violations;
	}

	/** The apps named by the rules' pod selectors (app.kubernetes.io/name In [...]). */
	private static Set<String> appNames(JsonNode rules, String peers) {
		Set<String> names = new TreeSet<>();
		rules.valueStream().flatMap((rule) -> rule.path(peers).valueStream())
			.filter((peer) -> peer.path("namespaceSelector").isMissingNode())
			.flatMap((peer) -> peer.at("/podSelector/matchExpressions").valueStream())
			.filter((expression) -> expression.path("key").asString().equals("app.kubernetes.io/name"))
			.flatMap((expression) -> expression.path("values").valueStream())
			.forEach((value) -> names.add(value.asString()));
		return names;
	}

	static List<String> defaultDenyViolations(List<ObjectNode> objects) {
		boolean denied = objects.stream().filter((object) -> kind(object, "NetworkPolicy"))
			.anyMatch((policy) -> policy.at("/spec/podSelector").isEmpty()
					&& policy.at("/spec/policyTypes").size() == 2 && policy.at("/spec/ingress").isMissingNode()
					&& policy.at("/spec/egress").isMissingNode());
		return denied ? List.of() : List.of("no NetworkPolicy denies everything to every pod by default");
	}

	static List<String> imageViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (ObjectNode workload : workloads(objects)) {
			for (JsonNode container : containers(workload)) {
				String image = container.path("image").asString("");
				String afterRepository = image.substring(image.lastIndexOf('/') + 1);
				boolean digest = image.contains("@sha256:");
				boolean tagged = afterRepository.contains(":") && !afterRepository.endsWith(":latest");
				if (!digest && !tagged) {
					violations.add(name(workload) + ": image " + image + " is latest or untagged");
				}
			}
		}
		return violations;
	}

	static List<String> privilegeViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (ObjectNode workload : workloads(objects)) {
			JsonNode pod = workload.at("/spec/template/spec");
			String where = name(workload);
			for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
				if (pod.path(host).asBoolean(false)) {
					violations.add(where + ": " + host);
				}
			}
			pod.path("volumes").valueStream().filter((volume) -> volume.has("hostPath"))
				.forEach((volume) -> violations.add(where + ": a hostPath volume"));
			JsonNode podSecurity = pod.path("securityContext");
			for (JsonNode container : containers(workload)) {
				JsonNode security = container.path("securityContext");
				String at = where + "/" + container.path("name").asString();
				if (security.path("privileged").asBoolean(false)) {
					violations.add(at + ": privileged");
				}
				JsonNode escalation = security.path("allowPrivilegeEscalation");
				if (!escalation.isBoolean() || escalation.asBoolean()) {
					violations.add(at + ": may escalate its privileges");
				}
				if (!security.path("readOnlyRootFilesystem").asBoolean(false)) {
					violations.add(at + ": writes its root filesystem");
				}
				if (!security.at("/capabilities/drop").valueStream().anyMatch((cap) -> cap.asString().equals("ALL"))
						|| !security.at("/capabilities/add").isMissingNode()) {
					violations.add(at + ": keeps or adds capabilities");
				}
				boolean nonRoot = security.path("runAsNonRoot")
					.asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false));
				long user = security.path("runAsUser").asLong(podSecurity.path("runAsUser").asLong(-1));
				if (!nonRoot || user == 0) {
					violations.add(at + ": may run as root");
				}
				String seccomp = security.at("/seccompProfile/type")
					.asString(podSecurity.at("/seccompProfile/type").asString(""));
				if (!seccomp.equals("RuntimeDefault")) {
					violations.add(at + ": no RuntimeDefault seccomp profile");
				}
			}
		}
		for (App app : SUITE.apps()) {
			// the JVM and Netty write temporary files: a volume, as the root filesystem is read-only
			workload(objects, app).map(KubernetesManifestsTest::container)
				.filter((container) -> container.path("volumeMounts").valueStream()
					.noneMatch((mount) -> mount.path("mountPath").asString().equals("/tmp")))
				.ifPresent((container) -> violations.add(app.name() + ": no writable /tmp"));
		}
		return violations;
	}

	static List<String> secretViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		objects.stream().filter((object) -> kind(object, "Secret"))
			.forEach((secret) -> violations.add(name(secret) + ": a Secret in the manifests"));
		Set<String> referable = Set.of(KubernetesApp.SECRETS, KubernetesApp.PG_CLUSTER + "-app",
				KubernetesApp.API_CLIENTS, KubernetesApp.SERVICE_IDENTITIES);
		for (ObjectNode workload : workloads(objects)) {
			for (JsonNode container : containers(workload)) {
				for (JsonNode variable : container.path("env")) {
					String name = variable.path("name").asString();
					boolean sensitive = name.matches(".*(PASSWORD|SECRET|_KEY|TOKEN).*");
					JsonNode reference = variable.at("/valueFrom/secretKeyRef");
					if (sensitive && reference.isMissingNode()) {
						violations.add(name(workload) + ": " + name + " is not from a Secret");
					}
					if (!reference.isMissingNode() && !referable.contains(reference.path("name").asString())) {
						violations.add(name(workload) + ": " + name + " from an unknown Secret "
								+ reference.path("name"));
					}
				}
			}
		}
		return violations;
	}

	/** Each app gets the secrets it needs and no other (as deploy/local/lib.sh gives them). */
	static List<String> secretScopeViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		App auth = KubernetesApp.authServer(SUITE);
		for (App app : SUITE.apps()) {
			workload(objects, app).map(KubernetesManifestsTest::container).ifPresent((container) -> {
				Set<String> keys = new TreeSet<>();
				container.path("env").valueStream().map((variable) -> variable.at("/valueFrom/secretKeyRef/key"))
					.filter(JsonNode::isString).forEach((key) -> keys.add(key.asString()));
				// config-server hands out {cipher} values and must never hold the key that opens them
				if (app.startsFirst() == keys.contains("encrypt-key")) {
					violations.add(app.name() + (app.startsFirst() ? ": holds" : ": lacks") + " the encrypt key");
				}
				if (keys.contains("auth-keys-password") != app.equals(auth)) {
					violations.add(app.name() + ": the signing keys' password where it does not belong, or missing");
				}
			});
		}
		return violations;
	}

	static List<String> terminationViolations(List<ObjectNode> objects) {
		Duration drain = drainDelay();
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			workload(objects, app).ifPresent((workload) -> {
				long preStop = container(workload).at("/lifecycle/preStop/sleep/seconds").asLong(0);
				long grace = workload.at("/spec/template/spec/terminationGracePeriodSeconds").asLong(30);
				long needed = preStop + drain.toSeconds() + IN_FLIGHT.toSeconds();
				if (grace < needed) {
					violations.add(app.name() + ": " + grace + " s to stop, needs " + needed + " (pre-stop " + preStop
							+ " + drain " + drain.toSeconds() + " + in-flight " + IN_FLIGHT.toSeconds() + ")");
				}
			});
		}
		return violations;
	}

	static List<String> heapViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			workload(objects, app).map(KubernetesManifestsTest::container).ifPresent((container) -> {
				String options = env(container, "JAVA_TOOL_OPTIONS").map(KubernetesManifestsTest::value)
					.orElse("");
				if (!options.contains("-XX:MaxRAMPercentage=") || options.matches(".*-Xmx\\S+.*")) {
					violations.add(app.name() + ": the heap is not sized from the memory limit: " + options);
				}
				JsonNode resources = container.path("resources");
				if (!resources.at("/requests/memory").equals(resources.at("/limits/memory"))) {
					violations.add(app.name() + ": memory request and limit differ (a JVM's heap does not shrink)");
				}
				Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(options);
				long limit = mebibytes(resources.at("/limits/memory").asString(""));
				if (percentage.find() && limit * (100 - Double.parseDouble(percentage.group(1))) / 100 < NON_HEAP_MIB) {
					violations.add(app.name() + ": " + limit + " MiB leaves less than " + NON_HEAP_MIB
							+ " MiB beside the heap");
				}
			});
		}
		return violations;
	}

	private static long mebibytes(String quantity) {
		Matcher matcher = Pattern.compile("([0-9]+)(Mi|Gi)").matcher(quantity);
		if (!matcher.matches()) {
			return 0;
		}
		return Long.parseLong(matcher.group(1)) * (matcher.group(2).equals("Gi") ? 1024 : 1);
	}

	static List<String> spreadViolations(List<ObjectNode> objects) {
		List<String> violations = new ArrayList<>();
		for (App app : SUITE.apps()) {
			workload(objects, app).ifPresent((workload) -> {
				boolean spread = workload.at("/spec/template/spec/topologySpreadConstraints").valueStream()
					.anyMatch((constraint) -> constraint.path("topologyKey").asString().equals("kubernetes.io/hostname")
							&& selects(constraint.path("labelSelector"), podLabels(workload)));
				if (!spread) {
					violations.add(app.name() + ": its pods are not spread over nodes");
				}
			});
		}
		return violations;
	}

	// ---- what differs between the overlays, and what ties objects together ---------------------------------

	@Test
	void theLocalClusterRunsOnePodOfEachAppAndScalesOnCpuOnly() {
		List<ObjectNode> objects = Kustomize.render(ROOT, "local");
		objects.stream().filter((object) -> kind(object, "HorizontalPodAutoscaler")).forEach((hpa) -> {
			assertThat(hpa.at("/spec/minReplicas").asInt()).as(name(hpa)).isEqualTo(1);
			assertThat(hpa.at("/spec/metrics").valueStream().map((metric) -> metric.path("type").asString()))
				.as(name(hpa))
				.containsOnly("Resource");
		});
		assertThat(object(objects, "Cluster", KubernetesApp.PG_CLUSTER).at("/spec/instances").asInt()).isEqualTo(1);
	}

	/**
	 * Every app but config-server reads its settings once, at start, from config-server: it must not start without
	 * them (fail fast: the kubelet restarts it until config-server answers), and a change to config-server's
	 * repository must roll it (the repository's digest in its pod template).
	 */
	@TestFactory
	Stream<DynamicTest> everyAppStartsOnlyWithItsSettingsAndRollsWhenTheyChange() {
		String checksum = KubernetesConfigRepository.checksum(ROOT);
		return Kustomize.OVERLAYS.stream().map((overlay) -> DynamicTest.dynamicTest(overlay, () -> {
			List<ObjectNode> objects = Kustomize.render(ROOT, overlay);
			for (App app : SUITE.apps()) {
				ObjectNode workload = workload(objects, app).orElseThrow();
				JsonNode annotation = workload.at("/spec/template/metadata/annotations")
					.path(KubernetesApp.CONFIG_CHECKSUM);
				JsonNode failFast = container(workload).path("env").valueStream()
					.filter((variable) -> variable.path("name").asString().equals("SPRING_CLOUD_CONFIG_FAIL_FAST"))
					.findFirst().map((variable) -> variable.path("value")).orElse(null);
				if (app.startsFirst()) {
					assertThat(annotation.isMissingNode()).as("%s: no digest of what it serves itself", app.name())
						.isTrue();
					continue;
				}
				assertThat(annotation.asString("")).as("%s: the repository's digest", app.name()).isEqualTo(checksum);
				assertThat(failFast).as("%s: SPRING_CLOUD_CONFIG_FAIL_FAST", app.name()).isNotNull();
				assertThat(failFast.asString()).as("%s: SPRING_CLOUD_CONFIG_FAIL_FAST", app.name()).isEqualTo("true");
			}
		}));
	}

	/** The README's demo API clients (profile "demo") exist on a local cluster and never in production. */
	@Test
	void onlyTheLocalOverlayRegistersTheDemoClients() {
		assertThat(environment("local").path("profiles").asString()).isEqualTo("demo");
		assertThat(environment("production").path("profiles").asString()).doesNotContain("demo");
		assertThat(ROOT.resolve("deploy/config/auth-server-demo.yml")).isRegularFile();
		assertThat(KubernetesConfigRepository.files(ROOT).get("auth-server.yml")).doesNotContain("scalarhub-demo");
	}

	private static JsonNode environment(String overlay) {
		return Kustomize.render(ROOT, overlay)
			.stream()
			.filter((object) -> kind(object, "ConfigMap")
					&& object.at("/metadata/name").asString().startsWith(KubernetesApp.ENVIRONMENT))
			.findFirst()
			.orElseThrow()
			.path("data");
	}

	/**
	 * CloudNativePG's admission webhook refuses a Cluster whose synchronous replicas could not exist (as many as its
	 * instances or more, or a minimum over the maximum): the strict parse checks field names, not the operator's
	 * own rules, so these are checked here for every overlay.
	 */
	@TestFactory
	Stream<DynamicTest> everyOverlaysDatabaseClusterIsOneTheOperatorAccepts() {
		return Kustomize.OVERLAYS.stream().map((overlay) -> DynamicTest.dynamicTest(overlay, () -> {
			ObjectNode cluster = object(Kustomize.render(ROOT, overlay), "Cluster", KubernetesApp.PG_CLUSTER);
			int instances = cluster.at("/spec/instances").asInt();
			int minSync = cluster.at("/spec/minSyncReplicas").asInt(0);
			int maxSync = cluster.at("/spec/maxSyncReplicas").asInt(0);
			assertThat(maxSync).as("%s: maxSyncReplicas below instances (%d)", overlay, instances).isLessThan(instances);
			assertThat(minSync).as("%s: minSyncReplicas at most maxSyncReplicas", overlay).isLessThanOrEqualTo(maxSync);
		}));
	}

	@Test
	void productionRunsTwoOrMoreOfEachAndScalesServingAppsOnTheirRequestRate() {
		List<ObjectNode> objects = Kustomize.render(ROOT, "production");
		for (App app : SUITE.apps()) {
			if (KubernetesApp.isRegistry(app)) {
				continue;
			}
			ObjectNode hpa = object(objects, "HorizontalPodAutoscaler", app.name());
			assertThat(hpa.at("/spec/minReplicas").asInt()).as(app.name()).isGreaterThanOrEqualTo(2);
			boolean onRate = hpa.at("/spec/metrics").valueStream()
				.anyMatch((metric) -> metric.at("/pods/metric/name").asString()
					.equals("http_server_requests_per_second"));
			assertThat(onRate).as("%s scales on its request rate", app.name())
				.isEqualTo(app.kind() != Kind.INFRASTRUCTURE);
			// the adapter finds a pod's series by this tag
			assertThat(env(container(workload(objects, app).orElseThrow()), "MANAGEMENT_METRICS_TAGS_POD")
				.map((variable) -> variable.at("/valueFrom/fieldRef/fieldPath").asString())).as(app.name())
				.contains("metadata.name");
		}
		ObjectNode cluster = object(objects, "Cluster", KubernetesApp.PG_CLUSTER);
		assertThat(cluster.at("/spec/instances").asInt()).isGreaterThanOrEqualTo(3);
		assertThat(cluster.at("/spec/minSyncReplicas").asInt()).isGreaterThanOrEqualTo(1);
		for (App app : SUITE.apps()) {
			assertThat(container(workload(objects, app).orElseThrow()).path("image").asString()).as(app.name())
				.endsWith("/" + app.name() + ":" + KubernetesApp.IMAGE_TAG)
				.doesNotStartWith("scalarhub/");
		}
	}

	@TestFactory
	Stream<DynamicTest> theAppsReachTheDatabaseThroughItsPoolersAndOwnTheirDatabases() {
		return Kustomize.OVERLAYS.stream().map((overlay) -> DynamicTest.dynamicTest(overlay, () -> {
			List<ObjectNode> objects = Kustomize.render(ROOT, overlay);
			object(objects, "Cluster", KubernetesApp.PG_CLUSTER);
			Map<String, String> poolers = Map.of(KubernetesApp.PG_POOLER_RW, "rw", KubernetesApp.PG_POOLER_RO, "ro");
			poolers.forEach((name, type) -> {
				ObjectNode pooler = object(objects, "Pooler", name);
				assertThat(pooler.at("/spec/type").asString()).as(name).isEqualTo(type);
				assertThat(pooler.at("/spec/cluster/name").asString()).as(name).isEqualTo(KubernetesApp.PG_CLUSTER);
			});
			// the database's and Redis's NetworkPolicies let in pods by these labels, which only their users carry
			String firstPeer = "/spec/ingress/0/from/0/podSelector/matchLabels/";
			assertThat(object(objects, "NetworkPolicy", KubernetesApp.PG_CLUSTER)
				.at(firstPeer + "scalarhub.io~1database").asString()).isEqualTo("true");
			assertThat(object(objects, "NetworkPolicy", KubernetesManifests.REDIS)
				.at(firstPeer + "scalarhub.io~1redis").asString()).isEqualTo("true");
			for (App app : SUITE.apps()) {
				JsonNode labels = podLabels(workload(objects, app).orElseThrow());
				assertThat(labels.path("scalarhub.io/database").asString("false")).as(app.name())
					.isEqualTo(String.valueOf(app.database() != null));
				assertThat(labels.path("scalarhub.io/redis").asString("false")).as(app.name())
					.isEqualTo(String.valueOf(app.redis()));
			}
			for (App app : SUITE.apps()) {
				if (app.database() == null) {
					continue;
				}
				ObjectNode database = object(objects, "Database", KubernetesApp.PG_CLUSTER + "-" + app.database());
				assertThat(database.at("/spec/name").asString()).isEqualTo(app.database());
				assertThat(database.at("/spec/cluster/name").asString()).isEqualTo(KubernetesApp.PG_CLUSTER);
				String owner = object(objects, "Cluster", KubernetesApp.PG_CLUSTER).at("/spec/bootstrap/initdb/owner")
					.asString();
				assertThat(database.at("/spec/owner").asString()).isEqualTo(owner);
				ObjectNode container = container(workload(objects, app).orElseThrow());
				assertThat(env(container, "SCALARHUB_PG_HOST").map(KubernetesManifestsTest::value))
					.as(app.name()).contains(KubernetesApp.PG_POOLER_RW);
				if (app.replica()) {
					assertThat(env(container, "SCALARHUB_PG_REPLICA_HOST").map(KubernetesManifestsTest::value))
						.as(app.name()).contains(KubernetesApp.PG_POOLER_RO);
				}
			}
		}));
	}

	@Test
	void theRegistryPeersKnowEachOtherAndEveryClientKnowsEveryPeer() {
		List<ObjectNode> objects = Kustomize.render(ROOT, "production");
		App registry = SUITE.app(Suite.REGISTRY);
		ObjectNode peers = workload(objects, registry).orElseThrow();
		int replicas = peers.at("/spec/replicas").asInt();
		String serviceName = peers.at("/spec/serviceName").asString();
		ObjectNode headless = object(objects, "Service", serviceName);
		assertThat(headless.at("/spec/clusterIP").asString()).isEqualTo("None");
		List<String> urls = new ArrayList<>();
		for (int i = 0; i < replicas; i++) {
			urls.add("http://" + registry.name() + "-" + i + "." + serviceName + ":" + registry.port() + "/eureka/");
		}
		String all = String.join(",", urls);
		assertThat(env(container(peers), "SCALARHUB_DISCOVERY_PEERS").map(KubernetesManifestsTest::value))
			.contains(all);
		for (App app : SUITE.apps()) {
			if (SUITE.callees(app).contains(registry.name()) && !KubernetesApp.isRegistry(app)) {
				assertThat(env(container(workload(objects, app).orElseThrow()), "SCALARHUB_DISCOVERY_URL")
					.map(KubernetesManifestsTest::value)).as(app.name()).contains(all);
			}
		}
	}

	@Test
	void configServerServesTheRepositoryFromItsConfigMap() throws IOException {
		List<ObjectNode> objects = Kustomize.render(ROOT, "production");
		App first = SUITE.apps().stream().filter(App::startsFirst).findFirst().orElseThrow();
		ObjectNode workload = workload(objects, first).orElseThrow();
		String volume = workload.at("/spec/template/spec/volumes").valueStream()
			.filter((candidate) -> candidate.at("/configMap/name").asString().equals(KubernetesConfigRepository.NAME))
			.map((candidate) -> candidate.path("name").asString()).findFirst().orElseThrow();
		assertThat(container(workload).path("volumeMounts").valueStream()
			.anyMatch((mount) -> mount.path("name").asString().equals(volume)
					&& mount.path("mountPath").asString().equals(KubernetesConfigRepository.MOUNT_PATH)))
			.isTrue();
		assertThat(env(container(workload), "SCALARHUB_CONFIG_DIR").map(KubernetesManifestsTest::value))
			.contains(KubernetesConfigRepository.MOUNT_PATH);
		JsonNode data = object(objects, "ConfigMap", KubernetesConfigRepository.NAME).path("data");
		assertThat(data.path("application.yml").asString())
			.isEqualTo(Files.readString(ROOT.resolve("deploy/config/application.yml")));
		assertThat(data.has("subscription-service-local.yml")).as("the local profile's test clocks").isFalse();
	}

	// ---- reading the rendered objects ------------------------------------------------------------------------

	private static Duration drainDelay() {
		try {
			JsonNode config = YAMLMapper.builder().build()
				.readTree(Files.readString(ROOT.resolve("deploy/config/application.yml")));
			return Duration.parse("PT" + config.at("/scalarhub/shutdown/drain-delay").asString().toUpperCase());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean kind(JsonNode object, String kind) {
		return object.path("kind").asString().equals(kind);
	}

	private static String name(JsonNode object) {
		return object.path("kind").asString() + " " + object.at("/metadata/name").asString();
	}

	static ObjectNode object(List<ObjectNode> objects, String kind, String name) {
		return objects.stream().filter((object) -> kind(object, kind))
			.filter((object) -> object.at("/metadata/name").asString().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the rendering"));
	}

	private static List<ObjectNode> workloads(List<ObjectNode> objects) {
		return objects.stream().filter((object) -> kind(object, "Deployment") || kind(object, "StatefulSet")).toList();
	}

	private static Optional<ObjectNode> workload(List<ObjectNode> objects, App app) {
		return workloads(objects).stream().filter((object) -> object.at("/metadata/name").asString().equals(app.name()))
			.findFirst();
	}

	private static Optional<ObjectNode> appPolicy(List<ObjectNode> objects, App app) {
		return objects.stream().filter((object) -> kind(object, "NetworkPolicy"))
			.filter((object) -> object.at("/metadata/name").asString().equals(app.name()))
			.findFirst();
	}

	private static List<JsonNode> containers(JsonNode workload) {
		List<JsonNode> containers = new ArrayList<>();
		workload.at("/spec/template/spec/initContainers").forEach(containers::add);
		workload.at("/spec/template/spec/containers").forEach(containers::add);
		return containers;
	}

	/** The app's own container (the first). */
	static ObjectNode container(JsonNode workload) {
		return (ObjectNode) workload.at("/spec/template/spec/containers/0");
	}

	private static String value(JsonNode variable) {
		return variable.path("value").asString();
	}

	static Optional<ObjectNode> env(JsonNode container, String name) {
		return container.path("env").valueStream().filter((variable) -> variable.path("name").asString().equals(name))
			.map((variable) -> (ObjectNode) variable).findFirst();
	}

	private static JsonNode podLabels(JsonNode workload) {
		return workload.at("/spec/template/metadata/labels");
	}

	/** Whether a label selector (matchLabels only, as the manifests write them) selects pods with these labels. */
	private static boolean selects(JsonNode selector, JsonNode labels) {
		JsonNode match = selector.path("matchLabels");
		return !match.isEmpty() && match.properties().stream()
			.allMatch((entry) -> labels.path(entry.getKey()).asString("").equals(entry.getValue().asString()));
	}

	private static ObjectNode egressTo(String app, int port) {
		JsonNodeFactory nodes = JsonNodeFactory.instance;
		ObjectNode rule = nodes.objectNode();
		rule.putArray("to").addObject().putObject("podSelector").putArray("matchExpressions").addObject()
			.put("key", "app.kubernetes.io/name").put("operator", "In").putArray("values").add(app);
		rule.putArray("ports").addObject().put("protocol", "TCP").put("port", port);
		return rule;
	}

}
