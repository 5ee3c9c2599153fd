package io.scalarhub.suite;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.scalarhub.suite.Suite.App;

/**
 * An overlay's kustomize {@code images}: every app's image from the registry and at the tag the block's first line
 * names ({@code registry=... tag=...}), so that a release changes one line and runs deploy/generate.sh. A service
 * released on its own gets its own tag on that line ({@code customer-service=1.4.2}): one team ships one service
 * without touching the others' tags.
 */
final class KubernetesOverlayImages implements DerivedFile {

	static final String BLOCK = "images";

	private static final Pattern SETTINGS = Pattern
		.compile("# BEGIN generated: " + BLOCK + "\\b[^\\n]*?\\bregistry=(\\S+) tag=(\\S+)([^\\n]*)");

	private static final Pattern APP_TAG = Pattern.compile("\\s+([a-z][a-z0-9-]*)=(\\S+)");

	private final String overlay;

	KubernetesOverlayImages(String overlay) {
		this.overlay = overlay;
	}

	@Override
	public String path() {
		return "deploy/k8s/overlays/" + this.overlay + "/kustomization.yaml";
	}

	@Override
	public String render(Suite suite, String current) {
		Matcher settings = SETTINGS.matcher(current);
		if (!settings.find()) {
			throw new IllegalStateException(path() + ": the images block's first line names no registry=... tag=...");
		}
		String registry = settings.group(1);
		Map<String, String> tags = new HashMap<>();
		Matcher appTag = APP_TAG.matcher(settings.group(3));
		while (appTag.find()) {
			suite.app(appTag.group(1));
			tags.put(appTag.group(1), appTag.group(2));
		}
		StringBuilder images = new StringBuilder();
		for (App app : suite.apps()) {
			String tag = tags.getOrDefault(app.name(), settings.group(2));
			if (tag.equals("latest")) {
				// a pod would run whatever was pushed last, and two pods of one app different builds
				throw new IllegalStateException(path() + ": a fixed tag, never latest (" + app.name() + ")");
			}
			images.append("  - name: scalarhub/").append(app.name()).append('\n');
			images.append("    newName: ").append(registry).append('/').append(app.name()).append('\n');
			images.append("    newTag: \"").append(tag).append("\"\n");
		}
		return DerivedFile.replaceBlock(current, BLOCK, images.toString());
	}

}
