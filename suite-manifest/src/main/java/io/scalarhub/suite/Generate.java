package io.scalarhub.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Rewrites every file derived from {@code deploy/suite.yml} (deploy/generate.sh runs it). */
public final class Generate {

	private Generate() {
	}

	public static void main(String[] args) throws IOException {
		Path root = (args.length > 0) ? Path.of(args[0]) : Suite.repositoryRoot();
		Suite suite = Suite.load(root);
		for (DerivedFile derived : Derivations.all()) {
			Path file = root.resolve(derived.path());
			String current = Files.exists(file) ? Files.readString(file) : null;
			String wanted = derived.render(suite, current);
			if (!wanted.equals(current)) {
				Files.createDirectories(file.getParent());
				Files.writeString(file, wanted);
				System.out.println("wrote " + derived.path());
			}
		}
	}

}
