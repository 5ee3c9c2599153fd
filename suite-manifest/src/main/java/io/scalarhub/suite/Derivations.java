package io.scalarhub.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every file generated from the manifest. A new derived place is one more entry here. */
public final class Derivations {

	private Derivations() {
	}

	/**
	 * @param suite the manifest (a derivation per app needs its list)
	 * @param root the repository's root (a derivation that copies other files reads them there)
	 */
	public static List<DerivedFile> all(Suite suite, Path root) {
		List<DerivedFile> all = new ArrayList<>(
				List.of(new LocalLauncherLists(), new GatewayRoutes(), new GatewayScopeRules(), new EndToEndBuildOrder(),
						// the full-stack compose project
						new ComposeServices()));
		// Kubernetes: deploy/k8s/base/apps, after gateway.yml (config-server's repository copies it)
		all.addAll(KubernetesManifests.derivations(suite, root));
		return all;
	}

	/** Folders that generation owns whole: a file there that no derivation makes is stale. */
	public static List<String> ownedFolders() {
		return List.of(KubernetesManifests.APPS_FOLDER);
	}

}
