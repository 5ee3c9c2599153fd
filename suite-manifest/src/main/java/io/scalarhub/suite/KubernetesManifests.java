package io.scalarhub.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.scalarhub.suite.Suite.App;

import static io.scalarhub.suite.Yaml.map;

/**
 * The generated part of the Kubernetes base: {@value #APPS_FOLDER} holds one file per app ({@link KubernetesApp}),
 * the apps' databases, config-server's repository and the kustomization that lists them. Generation owns the
 * folder: a file there that no derivation makes is stale (an app taken out of the manifest) and is removed.
 */
final class KubernetesManifests {

	static final String APPS_FOLDER = "deploy/k8s/base/apps";

	/** The gateway's rate-limit store (deploy/k8s/base/redis.yaml). */
	static final String REDIS = "redis";

	static final int REDIS_PORT = 6379;

	/** Where traces go over OTLP (deploy/k8s/jaeger.yaml). */
	static final String TRACES = "jaeger";

	private KubernetesManifests() {
	}

	static List<DerivedFile> derivations(Suite suite, Path root) {
		List<DerivedFile> files = new ArrayList<>();
		suite.apps().forEach((app) -> files.add(new KubernetesApp(app.name(), root)));
		files.add(new Databases());
		files.add(new KubernetesConfigRepository(root));
		files.add(new Kustomization());
		files.add(new KubernetesOverlayImages("production"));
		return files;
	}

	/** CloudNativePG {@code Database}s: the one each app owns, in the cluster the base declares. */
	static final class Databases implements DerivedFile {

		@Override
		public String path() {
			return APPS_FOLDER + "/databases.yaml";
		}

		@Override
		public String render(Suite suite, String current) {
			List<Object> databases = new ArrayList<>();
			for (App app : suite.apps()) {
				if (app.database() != null) {
					String name = KubernetesApp.PG_CLUSTER + "-" + app.database();
					databases.add(map("apiVersion", "postgresql.cnpg.io/v1", "kind", "Database", "metadata",
							map("name", name, "labels", KubernetesApp.labels(app)),
							"spec", map("name", app.database(), "owner", "scalarhub", "cluster",
									map("name", KubernetesApp.PG_CLUSTER), "ensure", "present")));
				}
			}
			return DerivedFile.header("#") + Yaml.documents(databases);
		}

	}

	static final class Kustomization implements DerivedFile {

		@Override
		public String path() {
			return APPS_FOLDER + "/kustomization.yaml";
		}

		@Override
		public String render(Suite suite, String current) {
			List<String> resources = new ArrayList<>();
			suite.apps().forEach((app) -> resources.add(app.name() + ".yaml"));
			resources.add("databases.yaml");
			resources.add(KubernetesConfigRepository.FILE);
			Map<String, Object> kustomization = map("apiVersion", "kustomize.config.k8s.io/v1beta1", "kind",
					"Kustomization", "resources", resources);
			return DerivedFile.header("#") + Yaml.documents(List.of(kustomization));
		}

	}

}
