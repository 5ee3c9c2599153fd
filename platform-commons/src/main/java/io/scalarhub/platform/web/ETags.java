package io.scalarhub.platform.web;

/** Conditional-request checks (RFC 9110) for the strong ETags the services issue. */
public final class ETags {

	private ETags() {
	}

	/**
	 * Whether an {@code If-Match} or {@code If-None-Match} header names {@code etag}: a list of entity tags
	 * or {@code *}. For If-Match the comparison is strong, so a weak tag never matches.
	 */
	public static boolean anyMatches(String header, String etag) {
		for (String candidate : header.split(",")) {
			String tag = candidate.trim();
			if (tag.equals("*") || tag.equals(etag)) {
				return true;
			}
		}
		return false;
	}

}
