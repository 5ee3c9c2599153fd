package io.scalarhub.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Rewrites every file derived from {@code deploy/suite.yml} (deploy/generate.sh runs it). */
public final class Generate {

	private Generate() {
	}

	public static void main(String[] args) throws IOException {
		Path root = (args.length > 0) ? Path.of(args[0]) : Suite.repositoryRoot();
		Suite suite = Suite.load(root);
		List<DerivedFile> derivations = Derivations.all(suite, root);
		for (DerivedFile derived : derivations) {
			Path file = root.resolve(derived.path());
			String current = Files.exists(file) ? Files.readString(file) : null;
			String wanted = derived.render(suite, current);
			if (!wanted.equals(current)) {
				Files.createDirectories(file.getParent());
				Files.writeString(file, wanted);
				System.out.println("wrote " + derived.path());
			}
		}
		Set<String> derivedPaths = derivations.stream().map(DerivedFile::path).collect(Collectors.toSet());
		for (String folder : Derivations.ownedFolders()) {
			for (String stale : stale(root, folder, derivedPaths)) {
				Files.delete(root.resolve(stale));
				System.out.println("removed " + stale);
			}
		}
	}

	/** The files under {@code folder} that no derivation makes, relative to {@code root}. */
	static List<String> stale(Path root, String folder, Set<String> derivedPaths) throws IOException {
		Path dir = root.resolve(folder);
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.walk(dir)) {
			return files.filter(Files::isRegularFile)
				.map((file) -> root.relativize(file).toString().replace('\\', '/'))
				.filter((path) -> !derivedPaths.contains(path))
				.sorted()
				.toList();
		}
	}

}
