package io.scalarhub.suite;

import java.util.List;

/** Every file generated from the manifest. A new derived place is one more entry here. */
public final class Derivations {

	private Derivations() {
	}

	public static List<DerivedFile> all() {
		return List.of(new LocalLauncherLists(), new GatewayRoutes(), new GatewayScopeRules(),
				// the full-stack compose project
				new ComposeServices());
	}

}
