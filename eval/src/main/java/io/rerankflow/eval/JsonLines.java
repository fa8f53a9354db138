package io.rerankflow.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Reads JSON Lines files one object per line, reporting bad lines by file and line number. */
final class JsonLines {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Receives each JSON object of a file together with its 1-based line number. */
  @FunctionalInterface
  interface Handler {
    void handle(JsonNode object, int lineNumber);
  }

  private JsonLines() {}

  static void forEachObject(Path path, Handler handler) throws IOException {
    NumberedLines.forEach(
        path,
        (line, lineNumber) -> {
          if (line.isBlank()) {
            return;
          }
          JsonNode node;
          try {
            node = MAPPER.readTree(line);
          } catch (JsonProcessingException e) {
            throw new InputFormatException(
                path, lineNumber, "invalid JSON: " + e.getOriginalMessage());
          }
          if (!node.isObject()) {
            throw new InputFormatException(path, lineNumber, "expected a JSON object");
          }
          handler.handle(node, lineNumber);
        });
  }

  /** The text of a scalar field that must be present. */
  static String requiredText(JsonNode object, String field, Path path, int lineNumber) {
    JsonNode value = object.get(field);
    if (value == null || !value.isValueNode() || value.isNull()) {
      throw new InputFormatException(
          path, lineNumber, "field '" + field + "' is missing or not a string");
    }
    return value.asText();
  }

  /** The text of a scalar field, or {@code fallback} when the field is absent or null. */
  static String optionalText(
      JsonNode object, String field, String fallback, Path path, int lineNumber) {
    JsonNode value = object.get(field);
    return value == null || value.isNull()
        ? fallback
        : requiredText(object, field, path, lineNumber);
  }
}
