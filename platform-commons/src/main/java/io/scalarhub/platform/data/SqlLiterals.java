package io.scalarhub.platform.data;

/**
 * Values as PostgreSQL literals, for the few statements that must be plain text (a simple query takes no
 * parameters: {@link WritesAtCommit}). Text is an escape string ({@code E'…'}), which PostgreSQL reads the same
 * whatever {@code standard_conforming_strings} says: a backslash and a quote are the only characters it treats
 * specially, and both are doubled.
 */
public final class SqlLiterals {

	private SqlLiterals() {
	}

	/** {@code value} as a text literal; {@code NULL} for null. A NUL character is refused, as PostgreSQL refuses it. */
	public static String text(String value) {
		if (value == null) {
			return "NULL";
		}
		StringBuilder literal = new StringBuilder(value.length() + 8).append("E'");
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\0') {
				throw new IllegalArgumentException("PostgreSQL text cannot hold a NUL character");
			}
			if (c == '\\' || c == '\'') {
				literal.append(c);
			}
			literal.append(c);
		}
		return literal.append('\'').toString();
	}

}
