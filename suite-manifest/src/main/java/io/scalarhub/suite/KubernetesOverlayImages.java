package io.scalarhub.suite;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.scalarhub.suite.Suite.App;

/**
 * An overlay's kustomize {@code images}: every app's image from the registry and at the tag the block's first line
 * names ({@code registry=... tag=...}), so that a release changes one line and runs deploy/generate.sh.
 */
final class KubernetesOverlayImages implements DerivedFile {

	static final String BLOCK = "images";

	private static final Pattern SETTINGS = Pattern
		.compile("# BEGIN generated: " + BLOCK + "\\b[^\\n]*?\\bregistry=(\\S+) tag=(\\S+)");

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
		String tag = settings.group(2);
		if (tag.equals("latest")) {
			// a pod would run whatever was pushed last, and two pods of one app different builds
			throw new IllegalStateException(path() + ": a fixed tag, never latest");
		}
		StringBuilder images = new StringBuilder();
		for (App app : suite.apps()) {
			images.append("  - name: scalarhub/").append(app.name()).append('\n');
			images.append("    newName: ").append(registry).append('/').append(app.name()).append('\n');
			images.append("    newTag: \"").append(tag).append("\"\n");
		}
		return DerivedFile.replaceBlock(current, BLOCK, images.toString());
	}

}
