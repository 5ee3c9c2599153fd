package io.scalarhub.platform.json;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;

/**
 * The contract reads JSON strictly: unknown fields, duplicate keys, trailing garbage, floats where integers
 * belong and strings where numbers belong are the client's error (400), not something to guess around.
 * Timestamps are written as ISO-8601 strings.
 */
public class StrictJsonCustomizer implements JsonMapperBuilderCustomizer {

	@Override
	public void customize(JsonMapper.Builder builder) {
		builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
				DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
			.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
			// a number or boolean where a string belongs is a type error too, not a silent toString()
			.withCoercionConfig(LogicalType.Textual, (textual) -> textual.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			// "" or blanks where an id, enum or timestamp belongs are a bad value, not an absent one (null)
			.withCoercionConfigDefaults((defaults) -> defaults.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
				.setAcceptBlankAsEmpty(false));
	}

}
