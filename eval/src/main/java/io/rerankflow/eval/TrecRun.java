package io.rerankflow.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A retrieval run: query id → documents in the order trec_eval evaluates them.
 *
 * <p>Ordering rule (trec_eval {@code form_res_rels.c}, {@code comp_sim_docno}): documents are
 * sorted by score descending; equal scores are broken by doc id in <em>descending</em> {@code
 * strcmp} order, i.e. the lexicographically larger doc id ranks first. The rank column of a run
 * file is ignored, exactly as trec_eval ignores it. Doc ids are compared by Unicode code point,
 * which is the order {@code strcmp} gives on UTF-8 bytes.
 *
 * <p>A document listed twice for one query is rejected, as trec_eval rejects it.
 */
public final class TrecRun {

  /** trec_eval's evaluation order: score descending, then doc id descending. */
  public static final Comparator<ScoredDoc> TREC_EVAL_ORDER = TrecRun::compareTrecEvalOrder;

  private final Map<String, List<ScoredDoc>> byQuery;

  private TrecRun(Map<String, List<ScoredDoc>> byQuery) {
    Map<String, List<ScoredDoc>> sorted = new LinkedHashMap<>();
    byQuery.forEach(
        (qid, docs) -> {
          List<ScoredDoc> ranking = new ArrayList<>(docs);
          ranking.sort(TREC_EVAL_ORDER);
          sorted.put(qid, Collections.unmodifiableList(ranking));
        });
    this.byQuery = Collections.unmodifiableMap(sorted);
  }

  /**
   * A run from in-memory results; each query's documents may come in any order and are sorted into
   * {@link #TREC_EVAL_ORDER}.
   *
   * @throws IllegalArgumentException if a query lists a document twice or a score is NaN
   */
  public static TrecRun of(Map<String, List<ScoredDoc>> results) {
    results.forEach(
        (qid, docs) -> {
          Set<String> seen = new HashSet<>();
          for (ScoredDoc doc : docs) {
            if (Double.isNaN(doc.score())) {
              throw new IllegalArgumentException(
                  "NaN score for query '" + qid + "', doc '" + doc.docId() + "'");
            }
            if (!seen.add(doc.docId())) {
              throw new IllegalArgumentException(
                  "duplicate doc '" + doc.docId() + "' for query '" + qid + "'");
            }
          }
        });
    return new TrecRun(results);
  }

  /**
   * Reads a run file of whitespace-separated lines {@code qid Q0 docid rank score tag}.
   *
   * @throws InputFormatException naming file and line when a line cannot be parsed
   */
  public static TrecRun read(Path path) throws IOException {
    Map<String, Map<String, ScoredDoc>> byQuery = new LinkedHashMap<>();
    NumberedLines.forEach(
        path,
        (line, lineNumber) -> {
          if (line.isBlank()) {
            return;
          }
          String[] fields = line.trim().split("\\s+");
          if (fields.length != 6) {
            throw new InputFormatException(
                path,
                lineNumber,
                "expected 6 whitespace-separated fields 'qid Q0 docid rank score tag' but found "
                    + fields.length);
          }
          ScoredDoc doc = new ScoredDoc(fields[2], parseScore(fields[4], path, lineNumber));
          if (byQuery
                  .computeIfAbsent(fields[0], q -> new LinkedHashMap<>())
                  .putIfAbsent(doc.docId(), doc)
              != null) {
            throw new InputFormatException(
                path,
                lineNumber,
                "duplicate doc '" + doc.docId() + "' for query '" + fields[0] + "'");
          }
        });
    Map<String, List<ScoredDoc>> results = new LinkedHashMap<>();
    byQuery.forEach((qid, docs) -> results.put(qid, new ArrayList<>(docs.values())));
    return new TrecRun(results);
  }

  /** Documents of one query in {@link #TREC_EVAL_ORDER}, empty when the run lacks the query. */
  public List<ScoredDoc> ranking(String queryId) {
    return byQuery.getOrDefault(queryId, List.of());
  }

  public Set<String> queryIds() {
    return byQuery.keySet();
  }

  /** All rankings, each in {@link #TREC_EVAL_ORDER}. */
  public Map<String, List<ScoredDoc>> rankings() {
    return byQuery;
  }

  private static double parseScore(String text, Path path, int lineNumber) {
    double score;
    try {
      score = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new InputFormatException(path, lineNumber, "score '" + text + "' is not a number");
    }
    if (Double.isNaN(score)) {
      throw new InputFormatException(path, lineNumber, "score is NaN");
    }
    return score;
  }

  private static int compareTrecEvalOrder(ScoredDoc a, ScoredDoc b) {
    // Plain comparisons rather than Double.compare so that 0.0 and -0.0 tie, as in C.
    if (a.score() > b.score()) {
      return -1;
    }
    if (a.score() < b.score()) {
      return 1;
    }
    return compareCodePoints(b.docId(), a.docId());
  }

  // strcmp orders UTF-8 bytes, which is code point order; String.compareTo orders UTF-16 units,
  // which disagrees for characters above U+FFFF.
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
