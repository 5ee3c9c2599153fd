package io.scalarhub.suite;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file, or a block of one, generated from the suite's manifest. Checked in, so that a reader sees it where it is
 * used; {@code deploy/generate.sh} rewrites it and SuiteManifestTest fails while it differs from what the manifest
 * says.
 */
public interface DerivedFile {

	/** The file, relative to the repository's root. */
	String path();

	/**
	 * The file's content as the manifest makes it.
	 * @param suite the manifest
	 * @param current the file's content now, or {@code null} if it does not exist (a derivation that owns only a
	 * block of the file keeps the rest)
	 */
	String render(Suite suite, String current);

	/** The first line of a file that is generated whole. */
	static String header(String commentPrefix) {
		return commentPrefix + " GENERATED from deploy/suite.yml by deploy/generate.sh: edit that file, not this one.\n";
	}

	/**
	 * {@code current} with the lines between the block's markers replaced by {@code body}. The markers are comment
	 * lines, {@code # BEGIN generated: NAME} and {@code # END generated: NAME} (in XML {@code <!-- BEGIN generated:
	 * NAME -->}), at any indentation.
	 */
	static String replaceBlock(String current, String name, String body) {
		Pattern block = Pattern.compile("(?ms)^([ \\t]*(?:#|<!--) BEGIN generated: " + Pattern.quote(name)
				+ "\\b[^\\n]*\\n).*?(^[ \\t]*(?:#|<!--) END generated: " + Pattern.quote(name) + "\\b)");
		Matcher matcher = block.matcher(current);
		if (!matcher.find()) {
			throw new IllegalStateException("no block '" + name + "' (# BEGIN generated: " + name + ")");
		}
		return current.substring(0, matcher.end(1)) + body + current.substring(matcher.start(2));
	}

}
