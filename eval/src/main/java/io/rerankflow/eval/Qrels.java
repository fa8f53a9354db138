package io.rerankflow.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Relevance judgments per query: query id → (doc id → integer relevance).
 *
 * <p>{@link #read} accepts both formats, chosen by the first non-blank line:
 *
 * <ul>
 *   <li>BEIR tsv: three tab-separated fields {@code query-id corpus-id score}. The first line is
 *       taken as a header (and skipped) when its score field is not an integer.
 *   <li>Classic TREC qrels: four whitespace-separated fields {@code qid iter docid rel}, no header;
 *       the iteration field is ignored.
 * </ul>
 *
 * <p>Relevance values are kept as written, negative ones included; the metrics decide how to treat
 * them. Lines starting with {@code #} are comments, as in trec_eval. A repeated (query, doc) pair
 * is rejected because trec_eval rejects it too.
 */
public final class Qrels {
  private final Map<String, Map<String, Integer>> byQuery;

  private Qrels(Map<String, Map<String, Integer>> byQuery) {
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    byQuery.forEach(
        (qid, judgments) ->
            copy.put(qid, Collections.unmodifiableMap(new LinkedHashMap<>(judgments))));
    this.byQuery = Collections.unmodifiableMap(copy);
  }

  /** Qrels from in-memory judgments (query id → doc id → relevance). */
  public static Qrels of(Map<String, Map<String, Integer>> judgments) {
    return new Qrels(judgments);
  }

  /**
   * Reads a BEIR tsv or classic TREC qrels file.
   *
   * @throws InputFormatException naming file and line when a line cannot be parsed
   */
  public static Qrels read(Path path) throws IOException {
    Parser parser = new Parser(path);
    NumberedLines.forEach(path, parser::accept);
    return new Qrels(parser.byQuery);
  }

  /** Judgments of one query, empty when the qrels do not mention it. */
  public Map<String, Integer> judgments(String queryId) {
    return byQuery.getOrDefault(queryId, Map.of());
  }

  public Set<String> queryIds() {
    return byQuery.keySet();
  }

  public Map<String, Map<String, Integer>> asMap() {
    return byQuery;
  }

  private enum Format {
    BEIR_TSV(3, 1, 2),
    TREC(4, 2, 3);

    final int fieldCount;
    final int docIdField;
    final int relevanceField;

    Format(int fieldCount, int docIdField, int relevanceField) {
      this.fieldCount = fieldCount;
      this.docIdField = docIdField;
      this.relevanceField = relevanceField;
    }

    static Format detect(String line) {
      return line.split("\t", -1).length == 3 ? BEIR_TSV : TREC;
    }

    String[] split(String line) {
      return this == BEIR_TSV ? line.split("\t", -1) : line.trim().split("\\s+");
    }

    String describe() {
      return this == BEIR_TSV
          ? "3 tab-separated fields 'query-id corpus-id score' (BEIR tsv, chosen from the first"
              + " line)"
          : "4 whitespace-separated fields 'qid iter docid rel' (TREC qrels, chosen from the first"
              + " line)";
    }
  }

  /**
   * Line parser that fixes the format on the first content line and then holds every line to it.
   */
  private static final class Parser {
    private final Path path;
    private final Map<String, Map<String, Integer>> byQuery = new LinkedHashMap<>();
    private Format format;

    Parser(Path path) {
      this.path = path;
    }

    void accept(String line, int lineNumber) {
      if (line.isBlank() || line.startsWith("#")) {
        return;
      }
      if (format == null) {
        format = Format.detect(line);
        if (format == Format.BEIR_TSV && parseInt(format.split(line)[2].trim()) == null) {
          return;
        }
      }
      String[] fields = format.split(line);
      if (fields.length != format.fieldCount) {
        throw new InputFormatException(
            path,
            lineNumber,
            "expected " + format.describe() + " but found " + fields.length + " fields");
      }
      String queryId = fields[0].trim();
      String docId = fields[format.docIdField].trim();
      String relevanceText = fields[format.relevanceField].trim();
      if (queryId.isEmpty() || docId.isEmpty()) {
        throw new InputFormatException(path, lineNumber, "empty query id or doc id");
      }
      Integer relevance = parseInt(relevanceText);
      if (relevance == null) {
        throw new InputFormatException(
            path, lineNumber, "relevance '" + relevanceText + "' is not an integer");
      }
      Integer previous =
          byQuery
              .computeIfAbsent(queryId, q -> new LinkedHashMap<>())
              .putIfAbsent(docId, relevance);
      if (previous != null) {
        throw new InputFormatException(
            path,
            lineNumber,
            "duplicate judgment for query '" + queryId + "', doc '" + docId + "'");
      }
    }

    private static Integer parseInt(String text) {
      try {
        return Integer.valueOf(text);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
