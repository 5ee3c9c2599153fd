package io.scalarhub.platform.paging;

/**
 * A page of a collection as the client asked for it: {@code ?page=<0-based>&size=<1..100>}. Declare it as a
 * controller parameter; out-of-range or non-numeric values are a 400, never silently clamped.
 */
public record PageQuery(int page, int size) {

	public static final int DEFAULT_SIZE = 20;

	public static final int MAX_SIZE = 100;

	/** Keeps {@code page * size} far from overflow and from scans no client needs. */
	public static final int MAX_PAGE = 100_000;

	public long offset() {
		return (long) this.page * this.size;
	}

}
