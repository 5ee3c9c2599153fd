package io.scalarhub.platform.problem;

/**
 * The problem {@code type} URIs the platform uses. They identify a kind of failure and are documented in
 * docs/api.md; clients branch on them, so they never change once published.
 */
public final class ProblemTypes {

	public static final String BASE = "https://scalarhub.io/problems/";

	public static final String VALIDATION = BASE + "validation-error";

	public static final String MALFORMED = BASE + "malformed-request";

	public static final String NOT_FOUND = BASE + "not-found";

	public static final String CONFLICT = BASE + "conflict";

	public static final String PRECONDITION_FAILED = BASE + "precondition-failed";

	public static final String PRECONDITION_REQUIRED = BASE + "precondition-required";

	public static final String UNAUTHORIZED = BASE + "unauthorized";

	public static final String FORBIDDEN = BASE + "forbidden";

	public static final String METHOD_NOT_ALLOWED = BASE + "method-not-allowed";

	public static final String UNSUPPORTED_MEDIA_TYPE = BASE + "unsupported-media-type";

	public static final String NOT_ACCEPTABLE = BASE + "not-acceptable";

	public static final String PAYLOAD_TOO_LARGE = BASE + "payload-too-large";

	public static final String RATE_LIMITED = BASE + "rate-limited";

	public static final String UNAVAILABLE = BASE + "service-unavailable";

	public static final String TIMEOUT = BASE + "upstream-timeout";

	public static final String INTERNAL = BASE + "internal-error";

	/** For statuses without a type of their own. */
	public static final String ABOUT_BLANK = "about:blank";

	private ProblemTypes() {
	}

}
