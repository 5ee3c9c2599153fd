package io.scalarhub.suite;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Writes generated YAML documents from maps and lists, keys in the order given. */
final class Yaml {

	private static final YAMLMapper MAPPER = YAMLMapper.builder()
		.disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
		.enable(YAMLWriteFeature.MINIMIZE_QUOTES)
		// a port or a count given as a string ("5432") must stay a string
		.enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
		// a file's content (config-server's repository) stays readable in the ConfigMap
		.enable(YAMLWriteFeature.LITERAL_BLOCK_STYLE)
		.enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
		.disable(YAMLWriteFeature.SPLIT_LINES)
		.build();

	private Yaml() {
	}

	/** A mapping of alternating keys and values; a {@code null} value leaves its key out. */
	static Map<String, Object> map(Object... keysAndValues) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			if (keysAndValues[i + 1] != null) {
				map.put((String) keysAndValues[i], keysAndValues[i + 1]);
			}
		}
		return map;
	}

	/** The documents, separated by {@code ---}. */
	static String documents(List<?> documents) {
		return documents.stream().map(MAPPER::writeValueAsString).collect(Collectors.joining("---\n"));
	}

}
