package io.scalarhub.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.scalarhub.suite.Yaml.map;

/**
 * config-server's repository in Kubernetes: a ConfigMap with every file of {@code deploy/config}, mounted where its
 * native backend reads. Generated, not configMapGenerator'd: kustomize reads no file outside its folder. Not hashed
 * either: the kubelet updates a mounted ConfigMap in place and the native backend reads the files on every request,
 * so an applied change reaches the apps on their next refresh without restarting config-server.
 */
final class KubernetesConfigRepository implements DerivedFile {

	static final String NAME = "config-repository";

	static final String FILE = NAME + ".yaml";

	static final String MOUNT_PATH = "/config";

	private static final String SOURCE = "deploy/config";

	private final Path root;

	KubernetesConfigRepository(Path root) {
		this.root = root;
	}

	@Override
	public String path() {
		return KubernetesManifests.APPS_FOLDER + "/" + FILE;
	}

	@Override
	public String render(Suite suite, String current) {
		Map<String, Object> data = new TreeMap<>(files(this.root));
		Suite.App server = suite.apps().stream().filter(Suite.App::startsFirst).findFirst().orElseThrow();
		Map<String, Object> configMap = map("apiVersion", "v1", "kind", "ConfigMap", "metadata",
				map("name", NAME, "labels", KubernetesApp.labels(server)), "data", data);
		return DerivedFile.header("#") + "# (and from deploy/config, whose {cipher} values each app decrypts)\n"
				+ Yaml.documents(List.of(configMap));
	}

	/** The repository's files by name: deploy/config's, but the local profile's. */
	static Map<String, String> files(Path root) {
		Map<String, String> files = new TreeMap<>();
		try (Stream<Path> list = Files.list(root.resolve(SOURCE))) {
			list.filter((file) -> file.getFileName().toString().endsWith(".yml"))
				// the local profile's files allow what only a developer's suite may do (test clocks)
				.filter((file) -> !file.getFileName().toString().endsWith("-local.yml"))
				.forEach((file) -> files.put(file.getFileName().toString(), read(file)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return files;
	}

	/**
	 * A digest of the repository's files. The apps read their configuration once, at start: a pod template that
	 * carries this changes with any file, so that applying a change rolls every app onto it rather than leaving old
	 * and new pods on different settings.
	 */
	static String checksum(Path root) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			files(root).forEach((name, content) -> {
				digest.update(name.getBytes(StandardCharsets.UTF_8));
				digest.update((byte) 0);
				digest.update(content.getBytes(StandardCharsets.UTF_8));
				digest.update((byte) 0);
			});
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
