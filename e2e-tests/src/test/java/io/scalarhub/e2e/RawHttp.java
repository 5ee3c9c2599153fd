package io.scalarhub.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.net.ssl.SSLSession;

/**
 * HTTP/1.1 over a plain socket, for requests the JDK client cannot send as meant: it writes header values as
 * US-ASCII, so a non-ASCII {@code Idempotency-Key} would arrive as {@code ?}s, a valid key. Here header
 * values go out as ISO-8859-1 bytes, one byte per character, as a hostile client would send them.
 */
final class RawHttp {

	private RawHttp() {
	}

	static HttpResponse<String> send(HttpRequest request, byte[] body, Duration timeout) throws IOException {
		URI uri = request.uri();
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		String target = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
		head.writeBytes((request.method() + " " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
				+ "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		request.headers().map().forEach((name, values) -> values.forEach((value) -> head
			.writeBytes((name + ": " + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1))));
		head.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
			socket.setSoTimeout((int) timeout.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(head.toByteArray());
			out.write(body);
			out.flush();
			return parse(request, socket.getInputStream().readAllBytes());
		}
	}

	private static HttpResponse<String> parse(HttpRequest request, byte[] raw) throws IOException {
		String text = new String(raw, StandardCharsets.ISO_8859_1);
		int end = text.indexOf("\r\n\r\n");
		if (end < 0) {
			throw new IOException("no complete response head: " + text);
		}
		String[] lines = text.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.computeIfAbsent(lines[i].substring(0, colon).trim(), (k) -> new ArrayList<>())
				.add(lines[i].substring(colon + 1).trim());
		}
		byte[] payload = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
		if (headers.getOrDefault("Transfer-Encoding", List.of()).contains("chunked")) {
			payload = dechunk(payload);
		}
		String body = new String(payload, StandardCharsets.UTF_8);
		HttpHeaders httpHeaders = HttpHeaders.of(headers, (a, b) -> true);
		return new HttpResponse<>() {
			public int statusCode() {
				return status;
			}

			public HttpRequest request() {
				return request;
			}

			public Optional<HttpResponse<String>> previousResponse() {
				return Optional.empty();
			}

			public HttpHeaders headers() {
				return httpHeaders;
			}

			public String body() {
				return body;
			}

			public Optional<SSLSession> sslSession() {
				return Optional.empty();
			}

			public URI uri() {
				return request.uri();
			}

			public HttpClient.Version version() {
				return HttpClient.Version.HTTP_1_1;
			}
		};
	}

	private static byte[] dechunk(byte[] chunked) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		InputStream in = new java.io.ByteArrayInputStream(chunked);
		while (true) {
			StringBuilder size = new StringBuilder();
			int c;
			while ((c = in.read()) != '\n') {
				if (c < 0) {
					throw new IOException("truncated chunked body");
				}
				if (c != '\r') {
					size.append((char) c);
				}
			}
			int length = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
			if (length == 0) {
				return out.toByteArray();
			}
			out.writeBytes(in.readNBytes(length));
			in.readNBytes(2);
		}
	}

}
