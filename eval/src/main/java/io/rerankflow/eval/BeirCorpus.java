package io.rerankflow.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Documents of a BEIR {@code corpus.jsonl} ({@code {"_id", "title", "text"}} per line), keyed by id
 * in file order. A missing or null {@code title} reads as empty; {@code _id} and {@code text} are
 * required, and a repeated {@code _id} is rejected because it leaves the passage ambiguous.
 */
public final class BeirCorpus {
  private final Map<String, BeirDocument> documents;

  private BeirCorpus(Map<String, BeirDocument> documents) {
    this.documents = Collections.unmodifiableMap(documents);
  }

  /**
   * Reads every document.
   *
   * @throws InputFormatException naming file and line when a line cannot be parsed
   */
  public static BeirCorpus read(Path path) throws IOException {
    return read(path, id -> true);
  }

  /**
   * Reads only documents whose id passes {@code keep}, so that a large corpus can be narrowed to
   * the documents a run actually retrieved.
   *
   * @throws InputFormatException naming file and line when a line cannot be parsed
   */
  public static BeirCorpus read(Path path, Predicate<String> keep) throws IOException {
    Map<String, BeirDocument> documents = new LinkedHashMap<>();
    JsonLines.forEachObject(
        path,
        (object, lineNumber) -> {
          String id = JsonLines.requiredText(object, "_id", path, lineNumber);
          if (!keep.test(id)) {
            return;
          }
          String title = JsonLines.optionalText(object, "title", "", path, lineNumber);
          String text = JsonLines.requiredText(object, "text", path, lineNumber);
          if (documents.putIfAbsent(id, new BeirDocument(id, title, text)) != null) {
            throw new InputFormatException(path, lineNumber, "duplicate _id '" + id + "'");
          }
        });
    return new BeirCorpus(documents);
  }

  /** The document with this id, or null when the corpus (as read) does not contain it. */
  public BeirDocument get(String id) {
    return documents.get(id);
  }

  public Map<String, BeirDocument> documents() {
    return documents;
  }

  public int size() {
    return documents.size();
  }
}
