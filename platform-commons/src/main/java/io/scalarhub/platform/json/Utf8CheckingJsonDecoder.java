package io.scalarhub.platform.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.util.MimeType;

/**
 * The JSON decoder, refusing a body that is not well-formed UTF-8. Jackson's own UTF-8 reader decodes
 * overlong forms ({@code C0 AF} reads as {@code /}) and lone surrogates instead of failing, so bytes that
 * a byte-level filter saw as harmless could arrive as something else; the JDK's decoder reports them.
 */
public class Utf8CheckingJsonDecoder extends JacksonJsonDecoder {

	public Utf8CheckingJsonDecoder(JsonMapper mapper) {
		super(mapper);
	}

	@Override
	public Object decode(DataBuffer dataBuffer, ResolvableType targetType, MimeType mimeType, Map<String, Object> hints)
			throws DecodingException {
		if (mimeType == null || mimeType.getCharset() == null || StandardCharsets.UTF_8.equals(mimeType.getCharset())) {
			ByteBuffer bytes = ByteBuffer.allocate(dataBuffer.readableByteCount());
			dataBuffer.toByteBuffer(dataBuffer.readPosition(), bytes, 0, bytes.capacity());
			try {
				StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(bytes);
			}
			catch (CharacterCodingException ex) {
				DataBufferUtils.release(dataBuffer);
				throw new DecodingException("The body is not valid UTF-8", ex);
			}
		}
		return super.decode(dataBuffer, targetType, mimeType, hints);
	}

}
