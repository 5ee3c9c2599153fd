package io.scalarhub.platform.web;

import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.web.server.ServerWebExchange;

/** The request id and trace id headers of the public contract, and where a request keeps its id. */
public final class RequestCorrelation {

	public static final String REQUEST_ID_HEADER = "X-Request-Id";

	public static final String TRACE_ID_HEADER = "X-Trace-Id";

	/** Exchange attribute holding the request's id once {@link RequestCorrelationWebFilter} has run. */
	public static final String REQUEST_ID_ATTRIBUTE = RequestCorrelation.class.getName() + ".requestId";

	/**
	 * A client's own id is kept when it is sane: short, printable, no separators that could split a log
	 * line or a header. Anything else is replaced, not echoed.
	 */
	private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

	private RequestCorrelation() {
	}

	public static String requestId(ServerWebExchange exchange) {
		return exchange.getAttribute(REQUEST_ID_ATTRIBUTE);
	}

	static String acceptOrGenerate(String clientRequestId) {
		if (clientRequestId != null && SANE_REQUEST_ID.matcher(clientRequestId).matches()) {
			return clientRequestId;
		}
		return UUID.randomUUID().toString();
	}

}
