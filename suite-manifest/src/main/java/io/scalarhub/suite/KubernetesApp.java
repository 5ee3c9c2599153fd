package io.scalarhub.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;

import static io.scalarhub.suite.Yaml.map;

/**
 * {@code deploy/k8s/base/apps/<app>.yaml}: everything Kubernetes runs one app with. Its ServiceAccount (no API
 * token), its workload (a Deployment; the registry is a StatefulSet of two peers that list each other), its
 * Service, HorizontalPodAutoscaler (not the registry: a fixed set of peers), PodDisruptionBudget and the
 * NetworkPolicy that lets in only its callers and out only to what it calls, both from
 * {@link Suite#callees(App)}.
 */
final class KubernetesApp implements DerivedFile {

	/** The image of an app is {@code scalarhub/<app>}; overlays set the registry and tag (kustomize images). */
	static final String IMAGE_TAG = "0.1.0";

	/** The Secret an operator creates with the suite's own credentials (deploy/k8s/README.md says how). */
	static final String SECRETS = "scalarhub-secrets";

	/** An installation's own API clients for auth-server (optional; docs/deploy.md). */
	static final String API_CLIENTS = "scalarhub-api-clients";

	/** Each calling service's own client secret, keyed by the service's name (optional; docs/deploy.md). */
	static final String SERVICE_IDENTITIES = "scalarhub-service-identities";

	/** What differs between installations (public URL, trace sampling): the base's configMapGenerator. */
	static final String ENVIRONMENT = "scalarhub-environment";

	/** CloudNativePG's cluster; its operator makes {@code <cluster>-app} (user and password) and {@code -rw}. */
	static final String PG_CLUSTER = "scalarhub-pg";

	static final String PG_POOLER_RW = PG_CLUSTER + "-pooler-rw";

	static final String PG_POOLER_RO = PG_CLUSTER + "-pooler-ro";

	/** The registry's peers find each other through this headless Service. */
	static final String PEERS_SERVICE = Suite.REGISTRY + "-peers";

	static final int REGISTRY_PEERS = 2;

	/** Non-root, and the same in every image (deploy/images). */
	static final long RUN_AS_USER = 10001;

	/**
	 * A stopping pod leaves the Service endpoints (up to a few seconds) and Eureka (15 s drain), then Boot's graceful
	 * shutdown lets in-flight requests end (up to 30 s): 5 + 15 + 30 with margin.
	 */
	static final long TERMINATION_GRACE_SECONDS = 60;

	/** Until kube-proxy and the callers' connection pools have dropped a terminating pod's address. */
	static final long PRE_STOP_SLEEP_SECONDS = 5;

	/**
	 * The heap follows the container's memory limit: half of it. The rest is for what is not heap and hardly grows
	 * with it (metaspace, code cache, thread stacks, Netty's direct buffers): 150-170 MiB, as the local suite's JVMs
	 * measured about 300-330 MiB resident with a 160 MiB heap (docs/performance.md). A JVM out of memory exits and
	 * is restarted rather than limping. The code cache keeps the JDK's size: a small one makes the JVM collect to
	 * unload code again and again while it warms up; the native heap is trimmed every 5 s, so that what the JIT
	 * frees while warming up leaves the pod's memory (docs/performance.md, "Footprint").
	 */
	static final String JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -Xss512k"
			+ " -XX:TrimNativeHeapInterval=5000 -Djava.io.tmpdir=/tmp";

	/** The pod annotation that carries config-server's repository digest (KubernetesConfigRepository#checksum). */
	static final String CONFIG_CHECKSUM = "scalarhub.io/config-checksum";

	private final String name;

	private final Path root;

	KubernetesApp(String name, Path root) {
		this.name = name;
		this.root = root;
	}

	@Override
	public String path() {
		return KubernetesManifests.APPS_FOLDER + "/" + this.name + ".yaml";
	}

	@Override
	public String render(Suite suite, String current) {
		App app = suite.app(this.name);
		boolean registry = isRegistry(app);
		List<Object> documents = new ArrayList<>();
		documents.add(map("apiVersion", "v1", "kind", "ServiceAccount", "metadata", metadata(app),
				"automountServiceAccountToken", false));
		// config-server reads its repository per request; every other app reads its settings once, at start
		String checksum = app.startsFirst() ? null : KubernetesConfigRepository.checksum(this.root);
		documents.add(registry ? statefulSet(suite, app, checksum) : deployment(suite, app, checksum));
		documents.add(service(app, app.name(), false));
		if (registry) {
			documents.add(service(app, PEERS_SERVICE, true));
		}
		else {
			documents.add(autoscaler(app));
		}
		documents.add(map("apiVersion", "policy/v1", "kind", "PodDisruptionBudget", "metadata", metadata(app), "spec",
				map("maxUnavailable", 1, "selector", selector(app),
						// a pod that never became ready does not hold up a node's drain
						"unhealthyPodEvictionPolicy", "AlwaysAllow")));
		documents.add(networkPolicy(suite, app));
		return DerivedFile.header("#") + Yaml.documents(documents);
	}

	/** The infrastructure app that is neither configuration nor the registry: the token issuer. */
	static App authServer(Suite suite) {
		return suite.ofKind(Kind.INFRASTRUCTURE).stream().filter((infra) -> !infra.startsFirst() && !isRegistry(infra))
			.findFirst().orElseThrow();
	}

	static boolean isRegistry(App app) {
		return app.name().equals(Suite.REGISTRY);
	}

	static Map<String, Object> labels(App app) {
		return map("app.kubernetes.io/name", app.name(), "app.kubernetes.io/part-of", "scalarhub",
				"app.kubernetes.io/component", app.kind().name().toLowerCase());
	}

	private static Map<String, Object> metadata(App app) {
		return metadata(app, app.name());
	}

	private static Map<String, Object> metadata(App app, String name) {
		return map("name", name, "labels", labels(app));
	}

	private static Map<String, Object> selector(App app) {
		return map("matchLabels", map("app.kubernetes.io/name", app.name()));
	}

	private static Map<String, Object> deployment(Suite suite, App app, String configChecksum) {
		// no replicas: the HorizontalPodAutoscaler owns the count (an apply would otherwise reset it)
		return map("apiVersion", "apps/v1", "kind", "Deployment", "metadata", metadata(app), "spec",
				map("revisionHistoryLimit", 5, "selector", selector(app), "strategy",
						// a new pod is ready before an old one starts draining: capacity never drops
						map("type", "RollingUpdate", "rollingUpdate", map("maxSurge", 1, "maxUnavailable", 0)),
						"template", podTemplate(suite, app, configChecksum)));
	}

	private static Map<String, Object> statefulSet(Suite suite, App app, String configChecksum) {
		return map("apiVersion", "apps/v1", "kind", "StatefulSet", "metadata", metadata(app), "spec",
				map("serviceName", PEERS_SERVICE, "replicas", REGISTRY_PEERS,
						// the peers start together: each only replicates to the other once both answer
						"podManagementPolicy", "Parallel", "revisionHistoryLimit", 5, "selector", selector(app),
						"template", podTemplate(suite, app, configChecksum)));
	}

	private static Map<String, Object> podTemplate(Suite suite, App app, String configChecksum) {
		Map<String, Object> podLabels = labels(app);
		// the database's and Redis's NetworkPolicies let in the pods that carry these (deploy/k8s/base)
		if (app.database() != null) {
			podLabels.put("scalarhub.io/database", "true");
		}
		if (app.redis()) {
			podLabels.put("scalarhub.io/redis", "true");
		}
		List<Object> volumeMounts = new ArrayList<>(List.of(map("name", "tmp", "mountPath", "/tmp")));
		List<Object> volumes = new ArrayList<>(List.of(map("name", "tmp", "emptyDir", map("sizeLimit", "256Mi"))));
		if (app.startsFirst()) {
			volumeMounts.add(map("name", "config-repository", "mountPath", KubernetesConfigRepository.MOUNT_PATH,
					"readOnly", true));
			volumes.add(map("name", "config-repository", "configMap", map("name", KubernetesConfigRepository.NAME)));
		}
		Map<String, Object> probe = map("port", "management");
		Map<String, Object> container = map("name", app.name(), "image", "scalarhub/" + app.name() + ":" + IMAGE_TAG,
				"imagePullPolicy", "IfNotPresent", "ports",
				List.of(map("name", "http", "containerPort", app.port()),
						map("name", "management", "containerPort", app.managementPort())),
				"env", env(suite, app), "resources", resources(app), "startupProbe",
				// a JVM on a fraction of a core takes tens of seconds to start: up to 3 minutes (as the local
				// launcher waits) before liveness takes over
				map("httpGet", withPath(probe, "/actuator/health/liveness"), "periodSeconds", 5, "timeoutSeconds", 2,
						"failureThreshold", 36),
				"readinessProbe",
				map("httpGet", withPath(probe, "/actuator/health/readiness"), "periodSeconds", 5, "timeoutSeconds", 2,
						"failureThreshold", 2),
				"livenessProbe",
				map("httpGet", withPath(probe, "/actuator/health/liveness"), "periodSeconds", 10, "timeoutSeconds",
						3, "failureThreshold", 3),
				"lifecycle", map("preStop", map("sleep", map("seconds", PRE_STOP_SLEEP_SECONDS))), "securityContext",
				map("allowPrivilegeEscalation", false, "privileged", false, "readOnlyRootFilesystem", true,
						"capabilities", map("drop", List.of("ALL"))),
				"volumeMounts", volumeMounts);
		Map<String, Object> spread = map("labelSelector", selector(app));
		List<Object> topologySpread = new ArrayList<>();
		// across nodes always (one node is no spread at all, and schedules); across zones where nodes have one
		topologySpread.add(spreadOver(spread, "kubernetes.io/hostname", "DoNotSchedule", !isRegistry(app)));
		topologySpread.add(spreadOver(spread, "topology.kubernetes.io/zone", "ScheduleAnyway", !isRegistry(app)));
		Map<String, Object> podMetadata = map("labels", podLabels);
		if (configChecksum != null) {
			podMetadata.put("annotations", map(CONFIG_CHECKSUM, configChecksum));
		}
		return map("metadata", podMetadata, "spec",
				map("serviceAccountName", app.name(), "automountServiceAccountToken", false,
						// no SERVICE_PORT-style variables: they could shadow the apps' own settings
						"enableServiceLinks", false, "terminationGracePeriodSeconds", TERMINATION_GRACE_SECONDS,
						"securityContext",
						map("runAsNonRoot", true, "runAsUser", RUN_AS_USER, "runAsGroup", RUN_AS_USER, "seccompProfile",
								map("type", "RuntimeDefault")),
						"topologySpreadConstraints", topologySpread, "containers", List.of(container), "volumes",
						volumes));
	}

	private static Map<String, Object> withPath(Map<String, Object> probe, String path) {
		Map<String, Object> get = map("path", path);
		get.putAll(probe);
		return get;
	}

	private static Map<String, Object> spreadOver(Map<String, Object> spread, String key, String whenUnsatisfiable,
			boolean perRevision) {
		Map<String, Object> constraint = map("maxSkew", 1, "topologyKey", key, "whenUnsatisfiable", whenUnsatisfiable);
		constraint.putAll(spread);
		if (perRevision) {
			// a rollout's new pods are spread among themselves, not counted against the old ones
			constraint.put("matchLabelKeys", List.of("pod-template-hash"));
		}
		return constraint;
	}

	/**
	 * Requests are what the app needs under ordinary load; the CPU limit lets a JVM start in seconds, the memory
	 * limit is also the request (the heap is sized from it and must never be squeezed).
	 */
	private static Map<String, Object> resources(App app) {
		String cpu = switch (app.kind()) {
			case INFRASTRUCTURE -> "100m";
			case SERVICE -> "250m";
			case EDGE -> "500m";
		};
		String memory = switch (app.kind()) {
			case INFRASTRUCTURE -> (app.database() != null) ? "512Mi" : "384Mi";
			case SERVICE -> "512Mi";
			case EDGE -> "768Mi";
		};
		String cpuLimit = (app.kind() == Kind.EDGE) ? "2" : "1";
		return map("requests", map("cpu", cpu, "memory", memory), "limits", map("cpu", cpuLimit, "memory", memory));
	}

	/** The environment deploy/local/lib.sh gives the app, from the Secret and ConfigMap instead of a file. */
	private static List<Object> env(Suite suite, App app) {
		Set<String> callees = suite.callees(app);
		List<Object> env = new ArrayList<>();
		env.add(value("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS));
		// the network (NetworkPolicies) keeps the internal ports internal, not the bind address
		env.add(value("SERVER_ADDRESS", "0.0.0.0"));
		env.add(value("MANAGEMENT_SERVER_ADDRESS", "0.0.0.0"));
		env.add(secret("SCALARHUB_MANAGEMENT_PASSWORD", SECRETS, "management-password"));
		if (app.startsFirst()) {
			env.add(secret("SCALARHUB_CONFIG_SERVER_PASSWORD", SECRETS, "config-server-password"));
			env.add(value("SCALARHUB_CONFIG_DIR", KubernetesConfigRepository.MOUNT_PATH));
		}
		else {
			App first = suite.apps().stream().filter(App::startsFirst).findFirst().orElseThrow();
			env.add(value("SCALARHUB_CONFIG_URL", "http://" + first.name() + ":" + first.port()));
			// pods start in any order: an app that came up before config-server answered would run on its bundled
			// defaults alone (no routes, the registry at localhost), never ready and never restarted. Failing, it
			// exits and the kubelet starts it again (with back-off) until config-server answers
			env.add(value("SPRING_CLOUD_CONFIG_FAIL_FAST", "true"));
			// the overlay's profiles (deploy/config/<app>-<profile>.yml): the local overlay's "demo" registers the
			// demo API clients, production registers none
			env.add(configMap("SPRING_PROFILES_ACTIVE", ENVIRONMENT, "profiles"));
			env.add(value("SPRING_CLOUD_CONFIG_USERNAME", "scalarhub"));
			env.add(secret("SPRING_CLOUD_CONFIG_PASSWORD", SECRETS, "config-server-password"));
			env.add(secret("SCALARHUB_DISCOVERY_PASSWORD", SECRETS, "discovery-password"));
			// decrypts the {cipher} values config-server serves; config-server itself never holds it
			env.add(secret("ENCRYPT_KEY", SECRETS, "encrypt-key"));
		}
		App registry = suite.app(Suite.REGISTRY);
		String peers = peerUrls(registry);
		if (isRegistry(app)) {
			env.add(field("POD_NAME", "metadata.name"));
			env.add(value("SCALARHUB_DISCOVERY_PEERS", peers));
			env.add(value("SCALARHUB_DISCOVERY_MY_URL", "http://$(POD_NAME)." + PEERS_SERVICE + ":" + app.port()
					+ "/eureka/"));
		}
		else if (callees.contains(Suite.REGISTRY)) {
			// every peer: a client registers with the first that answers and fails over to the other
			env.add(value("SCALARHUB_DISCOVERY_URL", peers));
			// callers and Prometheus reach the pod at the address it registers
			env.add(field("SCALARHUB_ADVERTISED_ADDRESS", "status.podIP"));
		}
		App auth = authServer(suite);
		if (callees.contains(auth.name())) {
			env.add(value("SCALARHUB_AUTH_URL", "http://" + auth.name() + ":" + auth.port()));
		}
		if (callees.contains(auth.name()) || app.equals(auth)) {
			// the issuer of every token, checked by every app that verifies one
			env.add(configMap("SCALARHUB_PUBLIC_URL", ENVIRONMENT, "public-url"));
		}
		if (app.equals(auth)) {
			env.add(secret("SCALARHUB_AUTH_KEYS_ENCRYPTIONPASSWORD", SECRETS, "auth-keys-password"));
			// an installation's own API clients and service identities' secrets ({"scalarhub":{"auth":{"clients":
			// {...}}}}, bcrypt hashes), over deploy/config's; optional: without it only those are registered
			env.add(optionalSecret("SPRING_APPLICATION_JSON", API_CLIENTS, "clients.json"));
		}
		if (app.kind() == Kind.SERVICE && !app.calls().isEmpty()) {
			// the service's own secret for its calls, instead of deploy/config's demo one (optional, as above)
			env.add(optionalSecret("SCALARHUB_SERVICEIDENTITY_CLIENTSECRET", SERVICE_IDENTITIES, app.name()));
		}
		if (app.database() != null) {
			// R2DBC (and auth-server's JDBC pool) through PgBouncer; a read replica through the read-only pooler
			env.add(value("SCALARHUB_PG_HOST", PG_POOLER_RW));
			env.add(value("SCALARHUB_PG_PORT", "5432"));
			if (app.replica()) {
				env.add(value("SCALARHUB_PG_REPLICA_HOST", PG_POOLER_RO));
				env.add(value("SCALARHUB_PG_REPLICA_PORT", "5432"));
			}
			env.add(secret("SCALARHUB_PG_USER", PG_CLUSTER + "-app", "username"));
			env.add(secret("SCALARHUB_DB_PASSWORD", PG_CLUSTER + "-app", "password"));
			// migrations straight to the primary: a migration may need a session of its own (locks, CREATE INDEX
			// CONCURRENTLY), which a transaction-mode pooler does not keep
			env.add(value("SPRING_FLYWAY_URL", "jdbc:postgresql://" + PG_CLUSTER + "-rw:5432/" + app.database()));
		}
		if (app.redis()) {
			env.add(value("SCALARHUB_REDIS_HOST", KubernetesManifests.REDIS));
			env.add(value("SCALARHUB_REDIS_PORT", String.valueOf(KubernetesManifests.REDIS_PORT)));
		}
		// every metric names its pod: the Prometheus adapter maps a series to the pod an autoscaler scales by these
		env.add(field("MANAGEMENT_METRICS_TAGS_POD", "metadata.name"));
		env.add(field("MANAGEMENT_METRICS_TAGS_NAMESPACE", "metadata.namespace"));
		env.add(configMap("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", ENVIRONMENT, "otlp-endpoint"));
		env.add(configMap("SCALARHUB_TRACE_SAMPLING", ENVIRONMENT, "trace-sampling"));
		return env;
	}

	static String peerUrls(App registry) {
		List<String> urls = new ArrayList<>();
		for (int i = 0; i < REGISTRY_PEERS; i++) {
			urls.add("http://" + registry.name() + "-" + i + "." + PEERS_SERVICE + ":" + registry.port() + "/eureka/");
		}
		return String.join(",", urls);
	}

	private static Map<String, Object> value(String name, String value) {
		return map("name", name, "value", value);
	}

	private static Map<String, Object> secret(String name, String secret, String key) {
		return map("name", name, "valueFrom", map("secretKeyRef", map("name", secret, "key", key)));
	}

	private static Map<String, Object> optionalSecret(String name, String secret, String key) {
		return map("name", name, "valueFrom",
				map("secretKeyRef", map("name", secret, "key", key, "optional", true)));
	}

	private static Map<String, Object> configMap(String name, String configMap, String key) {
		return map("name", name, "valueFrom", map("configMapKeyRef", map("name", configMap, "key", key)));
	}

	private static Map<String, Object> field(String name, String path) {
		return map("name", name, "valueFrom", map("fieldRef", map("fieldPath", path)));
	}

	private static Map<String, Object> service(App app, String name, boolean peers) {
		List<Object> ports = List.of(map("name", "http", "port", app.port(), "targetPort", "http"),
				map("name", "management", "port", app.managementPort(), "targetPort", "management"));
		Object podSelector = selector(app).get("matchLabels");
		Map<String, Object> spec = peers
				// one DNS name per peer (discovery-0.discovery-peers), known before a peer is ready: each must reach
				// the other to become ready at all
				? map("clusterIP", "None", "publishNotReadyAddresses", true, "selector", podSelector, "ports", ports)
				: map("type", "ClusterIP", "selector", podSelector, "ports", ports);
		return map("apiVersion", "v1", "kind", "Service", "metadata", metadata(app, name), "spec", spec);
	}

	private static Map<String, Object> autoscaler(App app) {
		return map("apiVersion", "autoscaling/v2", "kind", "HorizontalPodAutoscaler", "metadata", metadata(app), "spec",
				map("scaleTargetRef", map("apiVersion", "apps/v1", "kind", "Deployment", "name", app.name()),
						"minReplicas", 2, "maxReplicas", 6, "metrics",
						List.of(map("type", "Resource", "resource",
								map("name", "cpu", "target", map("type", "Utilization", "averageUtilization", 70)))),
						"behavior",
						// scale in slowly: every stopped pod drains for 15 s and its callers re-balance
						map("scaleDown", map("stabilizationWindowSeconds", 300, "policies",
								List.of(map("type", "Pods", "value", 1, "periodSeconds", 60))))));
	}

	/**
	 * In: the app's callers on its API port (anyone for the gateway, the one public door; the peers and Prometheus's
	 * Eureka discovery for the registry), Prometheus on the management port. Out: each callee on its API port, the
	 * database, Redis and the trace collector where used. DNS is allowed to every pod (deploy/k8s/base).
	 */
	private static Map<String, Object> networkPolicy(Suite suite, App app) {
		List<String> callers = suite.apps().stream().filter((other) -> suite.callees(other).contains(app.name()))
			.map(App::name).collect(Collectors.toCollection(ArrayList::new));
		if (isRegistry(app)) {
			callers.add(app.name());
		}
		List<Object> ingress = new ArrayList<>();
		List<Object> apiPort = List.of(map("protocol", "TCP", "port", app.port()));
		if (app.kind() == Kind.EDGE) {
			ingress.add(map("ports", apiPort));
		}
		else {
			List<Object> from = new ArrayList<>();
			if (!callers.isEmpty()) {
				from.add(map("podSelector", appsNamed(callers)));
			}
			if (isRegistry(app)) {
				from.add(prometheus());
			}
			if (!from.isEmpty()) {
				ingress.add(map("from", from, "ports", apiPort));
			}
		}
		ingress.add(map("from", List.of(prometheus()), "ports",
				List.of(map("protocol", "TCP", "port", app.managementPort()))));
		List<Object> egress = new ArrayList<>();
		List<String> callees = new ArrayList<>(suite.callees(app));
		if (isRegistry(app)) {
			callees.add(app.name());
		}
		for (String callee : callees) {
			egress.add(map("to", List.of(map("podSelector", appsNamed(List.of(callee)))), "ports",
					List.of(map("protocol", "TCP", "port", suite.app(callee).port()))));
		}
		if (app.database() != null) {
			Map<String, Object> poolers = map("key", "cnpg.io/poolerName", "operator", "In", "values",
					List.of(PG_POOLER_RW, PG_POOLER_RO));
			egress.add(map("to",
					List.of(map("podSelector", map("matchLabels", map("cnpg.io/cluster", PG_CLUSTER))),
							map("podSelector", map("matchExpressions", List.of(poolers)))),
					"ports", List.of(map("protocol", "TCP", "port", 5432))));
		}
		if (app.redis()) {
			egress.add(map("to",
					List.of(map("podSelector",
							map("matchLabels", map("app.kubernetes.io/name", KubernetesManifests.REDIS)))),
					"ports", List.of(map("protocol", "TCP", "port", KubernetesManifests.REDIS_PORT))));
		}
		Map<String, Object> traces = map("matchLabels", map("app.kubernetes.io/name", KubernetesManifests.TRACES));
		egress.add(map("to", List.of(map("podSelector", traces)), "ports",
				List.of(map("protocol", "TCP", "port", 4318))));
		return map("apiVersion", "networking.k8s.io/v1", "kind", "NetworkPolicy", "metadata", metadata(app), "spec",
				map("podSelector", selector(app), "policyTypes", List.of("Ingress", "Egress"), "ingress", ingress,
						"egress", egress));
	}

	private static Map<String, Object> appsNamed(List<String> names) {
		return map("matchExpressions",
				List.of(map("key", "app.kubernetes.io/name", "operator", "In", "values", List.copyOf(names))));
	}

	/** Prometheus, in whichever namespace it runs, by its pods' label (deploy/k8s/README.md). */
	private static Map<String, Object> prometheus() {
		return map("namespaceSelector", map(), "podSelector",
				map("matchLabels", map("app.kubernetes.io/name", "prometheus")));
	}

}
