package io.scalarhub.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * A minimal OTLP/HTTP trace receiver (what Jaeger's port 4318 speaks): accepts {@code POST /v1/traces} in
 * binary protobuf, decodes it with the official OpenTelemetry proto classes and keeps every span it got,
 * with the {@code service.name} of the resource that sent it. Lets a test check what really went over
 * the wire rather than what the configuration promises.
 */
final class OtlpReceiver implements AutoCloseable {

	/** One received span; ids in lower-case hex as in W3C trace context, parent empty for a root. */
	record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
			Span.SpanKind kind, Map<String, String> attributes) {

		boolean isRoot() {
			return this.parentSpanId.isEmpty();
		}

	}

	private static final HexFormat HEX = HexFormat.of();

	private final HttpServer server;

	private final ConcurrentLinkedQueue<ReceivedSpan> spans = new ConcurrentLinkedQueue<>();

	private final ConcurrentLinkedQueue<String> rejected = new ConcurrentLinkedQueue<>();

	OtlpReceiver() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
		this.server.createContext("/v1/traces", this::receive);
		this.server.start();
	}

	/** The URL to configure as the apps' OTLP/HTTP trace endpoint. */
	String tracesEndpoint() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1/traces";
	}

	List<ReceivedSpan> spans(Predicate<ReceivedSpan> filter) {
		return this.spans.stream().filter(filter).toList();
	}

	/** Requests that could not be decoded: a test should expect none. */
	List<String> rejected() {
		return List.copyOf(this.rejected);
	}

	private void receive(HttpExchange exchange) throws IOException {
		try (exchange) {
			if (!"POST".equals(exchange.getRequestMethod())) {
				exchange.sendResponseHeaders(405, -1);
				return;
			}
			ExportTraceServiceRequest request;
			try (InputStream body = decoded(exchange)) {
				request = ExportTraceServiceRequest.parseFrom(body);
			}
			catch (IOException | RuntimeException ex) {
				this.rejected.add(exchange.getRequestHeaders().getFirst("Content-Type") + ": " + ex);
				exchange.sendResponseHeaders(400, -1);
				return;
			}
			for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
				String service = attributes(resourceSpans.getResource().getAttributesList()).getOrDefault("service.name",
						"");
				for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
					for (Span span : scopeSpans.getSpansList()) {
						this.spans.add(new ReceivedSpan(service, HEX.formatHex(span.getTraceId().toByteArray()),
								HEX.formatHex(span.getSpanId().toByteArray()),
								HEX.formatHex(span.getParentSpanId().toByteArray()), span.getName(), span.getKind(),
								attributes(span.getAttributesList())));
					}
				}
			}
			byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
			exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
			exchange.sendResponseHeaders(200, (response.length == 0) ? -1 : response.length);
			exchange.getResponseBody().write(response);
		}
	}

	private static InputStream decoded(HttpExchange exchange) throws IOException {
		String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
		return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(exchange.getRequestBody())
				: exchange.getRequestBody();
	}

	private static Map<String, String> attributes(List<KeyValue> attributes) {
		return attributes.stream()
			.collect(Collectors.toMap(KeyValue::getKey, (kv) -> text(kv.getValue()), (a, b) -> b));
	}

	private static String text(AnyValue value) {
		return switch (value.getValueCase()) {
			case STRING_VALUE -> value.getStringValue();
			case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
			case INT_VALUE -> Long.toString(value.getIntValue());
			case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
			default -> value.toString();
		};
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
