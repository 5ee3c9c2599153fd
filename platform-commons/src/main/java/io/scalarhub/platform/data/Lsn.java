package io.scalarhub.platform.data;

import java.util.regex.Pattern;

/**
 * A PostgreSQL WAL position ({@code pg_lsn}, written {@code 16/B374D848}): how far the primary has written
 * or a replica has replayed. Comparable, so "has the replica replayed my write?" is {@code >=}.
 */
public record Lsn(long value) implements Comparable<Lsn> {

	private static final Pattern TEXT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

	/** Parses PostgreSQL's text form; null for anything else, so a bad header is simply not a position. */
	public static Lsn parse(String text) {
		if (text == null || !TEXT.matcher(text).matches()) {
			return null;
		}
		int slash = text.indexOf('/');
		return new Lsn((Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16));
	}

	public boolean reachedBy(Lsn other) {
		return other != null && other.compareTo(this) >= 0;
	}

	@Override
	public int compareTo(Lsn other) {
		return Long.compareUnsigned(this.value, other.value);
	}

	@Override
	public String toString() {
		return Long.toHexString(this.value >>> 32).toUpperCase() + "/" + Long.toHexString(this.value & 0xFFFFFFFFL).toUpperCase();
	}

}
