package io.rerankflow.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Queries of a BEIR {@code queries.jsonl} ({@code {"_id", "text"}} per line): query id → text in
 * file order. Both fields are required and a repeated {@code _id} is rejected.
 */
public final class BeirQueries {
  private final Map<String, String> texts;

  private BeirQueries(Map<String, String> texts) {
    this.texts = Collections.unmodifiableMap(texts);
  }

  /**
   * Reads every query.
   *
   * @throws InputFormatException naming file and line when a line cannot be parsed
   */
  public static BeirQueries read(Path path) throws IOException {
    Map<String, String> texts = new LinkedHashMap<>();
    JsonLines.forEachObject(
        path,
        (object, lineNumber) -> {
          String id = JsonLines.requiredText(object, "_id", path, lineNumber);
          String text = JsonLines.requiredText(object, "text", path, lineNumber);
          if (texts.putIfAbsent(id, text) != null) {
            throw new InputFormatException(path, lineNumber, "duplicate _id '" + id + "'");
          }
        });
    return new BeirQueries(texts);
  }

  /** The text of this query, or null when the file does not contain it. */
  public String text(String id) {
    return texts.get(id);
  }

  public Map<String, String> asMap() {
    return texts;
  }

  public int size() {
    return texts.size();
  }
}
