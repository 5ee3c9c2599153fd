package io.scalarhub.suite;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every rendered object read into the Kubernetes API's own types (fabric8's model), strictly: fabric8 keeps a field
 * it does not know in a bag of "additional properties" rather than refusing it, so a misspelt or misplaced key
 * (readinessProbe under the pod, runAsNonRoott) would pass unseen. Here any such key anywhere in the object, and any
 * kind fabric8 does not model, is a problem. CloudNativePG's kinds, which fabric8 has no model of, are held to the
 * fields of its API that the manifests use (checked against the operator's CRDs when written), their embedded
 * Kubernetes types (pod template, resources, metadata) to fabric8's model again.
 */
final class StrictKubernetesModel {

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.build();

	private static final KubernetesDeserializer KINDS = new KubernetesDeserializer();

	static final String CNPG = "postgresql.cnpg.io/v1";

	private StrictKubernetesModel() {
	}

	/** What is wrong with the object, each problem with where it is; empty when the API would take all of it. */
	static List<String> problems(JsonNode object) {
		String apiVersion = object.path("apiVersion").asString("");
		String kind = object.path("kind").asString("");
		String name = kind + " " + object.path("metadata").path("name").asString("?");
		List<String> problems = new ArrayList<>();
		if (apiVersion.equals(CNPG)) {
			CloudNativePg.check(object, name, problems);
			return problems;
		}
		Class<? extends KubernetesResource> type = KINDS.getRegisteredKind(apiVersion, kind);
		if (type == null || type == GenericKubernetesResource.class) {
			problems.add(name + ": " + apiVersion + " " + kind + " is not a kind of the Kubernetes API");
			return problems;
		}
		read(object, type, name, problems);
		return problems;
	}

	/** {@code node} as {@code type}, every field known to the model. */
	static void read(JsonNode node, Class<?> type, String where, List<String> problems) {
		Object value;
		try {
			value = JSON.treeToValue(node, type);
		}
		catch (DatabindException ex) {
			problems.add(where + ": not a " + type.getSimpleName() + " at " + ex.getPathReference() + ": "
					+ ex.getOriginalMessage());
			return;
		}
		unknownFields(value, where, problems);
	}

	/** Walks the model's properties (those it reads and writes as JSON) and reports every additional one. */
	private static void unknownFields(Object value, String path, List<String> problems) {
		if (value == null) {
			return;
		}
		if (value instanceof Map<?, ?> map) {
			map.forEach((key, item) -> unknownFields(item, path + "." + key, problems));
			return;
		}
		if (value instanceof Collection<?> items) {
			int i = 0;
			for (Object item : items) {
				unknownFields(item, path + "[" + i++ + "]", problems);
			}
			return;
		}
		if (!value.getClass().getName().startsWith("io.fabric8.")) {
			return;
		}
		for (Method getter : value.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())) {
				continue;
			}
			if (getter.getName().equals("getAdditionalProperties")) {
				Map<?, ?> additional = (Map<?, ?>) invoke(getter, value);
				if (additional != null && !additional.isEmpty()) {
					problems.add(path + ": not in the Kubernetes API: " + additional.keySet());
				}
				continue;
			}
			JsonProperty property = getter.getAnnotation(JsonProperty.class);
			if (property != null && getter.getName().startsWith("get")) {
				unknownFields(invoke(getter, value), path + "." + property.value(), problems);
			}
		}
	}

	private static Object invoke(Method getter, Object target) {
		try {
			return getter.invoke(target);
		}
		catch (IllegalAccessException | InvocationTargetException ex) {
			throw new IllegalStateException(getter + " on " + target.getClass(), ex);
		}
	}

	/**
	 * The CloudNativePG fields the manifests use, by kind: a nested map is an object with those fields only, a set the
	 * values an enum allows, a class a Kubernetes type of fabric8's model, a {@link Field} a scalar.
	 */
	static final class CloudNativePg {

		enum Field {

			STRING, INTEGER, BOOLEAN, QUANTITY,
			/** parameters: names to string values */
			STRING_MAP

		}

		static final Map<String, Object> CLUSTER = Map.of("instances", Field.INTEGER, "imageName", Field.STRING,
				"primaryUpdateStrategy", Set.of("unsupervised", "supervised"), "minSyncReplicas", Field.INTEGER,
				"maxSyncReplicas", Field.INTEGER, "postgresql", Map.of("parameters", Field.STRING_MAP), "bootstrap",
				Map.of("initdb", Map.of("database", Field.STRING, "owner", Field.STRING)), "storage",
				Map.of("size", Field.QUANTITY, "storageClass", Field.STRING), "resources", ResourceRequirements.class,
				"affinity", Map.of("enablePodAntiAffinity", Field.BOOLEAN, "topologyKey", Field.STRING,
						"podAntiAffinityType", Set.of("preferred", "required")));

		static final Map<String, Object> POOLER = Map.of("cluster", Map.of("name", Field.STRING), "instances",
				Field.INTEGER, "type", Set.of("rw", "ro", "r"), "pgbouncer",
				Map.of("poolMode", Set.of("session", "transaction"), "parameters", Field.STRING_MAP), "template",
				PodTemplateSpec.class);

		static final Map<String, Object> DATABASE = Map.of("name", Field.STRING, "owner", Field.STRING, "cluster",
				Map.of("name", Field.STRING), "ensure", Set.of("present", "absent"));

		/** What the CRDs require (the pooler's template must name its containers). */
		static final Map<String, List<String>> REQUIRED = Map.of("Cluster", List.of("spec.instances"), "Pooler",
				List.of("spec.cluster.name", "spec.pgbouncer", "spec.template.spec.containers"), "Database",
				List.of("spec.name", "spec.owner", "spec.cluster.name"));

		private CloudNativePg() {
		}

		static void check(JsonNode object, String name, List<String> problems) {
			String kind = object.path("kind").asString("");
			Map<String, Object> spec = switch (kind) {
				case "Cluster" -> CLUSTER;
				case "Pooler" -> POOLER;
				case "Database" -> DATABASE;
				default -> null;
			};
			if (spec == null) {
				problems.add(name + ": " + CNPG + " " + kind + " is not a CloudNativePG kind the manifests use");
				return;
			}
			Map<String, Object> top = Map.of("apiVersion", Field.STRING, "kind", Field.STRING, "metadata",
					ObjectMeta.class, "spec", spec);
			check(object, top, name, problems);
			for (String required : REQUIRED.get(kind)) {
				JsonNode at = object;
				for (String step : required.split("\\.")) {
					at = at.path(step);
				}
				if (at.isMissingNode() || at.isNull()) {
					problems.add(name + ": " + required + " is required");
				}
			}
		}

		@SuppressWarnings("unchecked")
		private static void check(JsonNode node, Object schema, String path, List<String> problems) {
			if (schema instanceof Map<?, ?> fields) {
				if (!node.isObject()) {
					problems.add(path + ": an object expected");
					return;
				}
				for (Iterator<String> names = node.propertyNames().iterator(); names.hasNext();) {
					String field = names.next();
					Object fieldSchema = fields.get(field);
					if (fieldSchema == null) {
						problems.add(path + ": " + field + " is not a field of CloudNativePG's API here (or not one the"
								+ " manifests are checked for)");
					}
					else {
						check(node.get(field), fieldSchema, path + "." + field, problems);
					}
				}
			}
			else if (schema instanceof Set<?> allowed) {
				if (!node.isString() || !allowed.contains(node.asString())) {
					problems.add(path + ": " + node + " is not one of " + allowed);
				}
			}
			else if (schema instanceof Class<?> type) {
				read(node, type, path, problems);
			}
			else {
				boolean ok = switch ((Field) schema) {
					case STRING -> node.isString();
					case INTEGER -> node.isIntegralNumber();
					case BOOLEAN -> node.isBoolean();
					case QUANTITY -> node.isString() && node.asString().matches("[0-9.]+([KMGTPE]i?|[mkMGTPE])?");
					case STRING_MAP -> node.isObject() && node.valueStream().allMatch(JsonNode::isString);
				};
				if (!ok) {
					problems.add(path + ": " + node + " is not a " + schema.toString().toLowerCase().replace('_', ' '));
				}
			}
		}

	}

}
