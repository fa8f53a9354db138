package io.rerankflow.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes rankings as TREC run files ({@code qid Q0 docid rank score tag}) that every evaluator
 * reads back in the intended order.
 *
 * <p>Each query's list order is the ranking: ranks are 1..k in that order. Because trec_eval
 * re-sorts by score and breaks ties by doc id, tied (or out-of-order) scores would silently reorder
 * the ranking, so written scores are made strictly decreasing: a score that is not below its
 * predecessor's written score is replaced by the largest double below it ({@link Math#nextDown}),
 * the smallest possible epsilon. Scores are written with {@link Double#toString}, which round-trips
 * exactly when parsed as a double (as trec_eval does), so the written scores stay unique on
 * reading.
 */
public final class TrecRunWriter {

  private TrecRunWriter() {}

  /** Writes {@code rankings} (query id → documents in rank order) to {@code path}. */
  public static void write(Path path, Map<String, List<ScoredDoc>> rankings, String tag)
      throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      write(out, rankings, tag);
    }
  }

  /**
   * Writes {@code rankings} (query id → documents in rank order) to {@code out}, queries in map
   * iteration order.
   *
   * @throws IllegalArgumentException on a non-finite score, a duplicate doc within a query, or an
   *     id or tag that is empty or contains whitespace (the line would not parse back)
   */
  public static void write(Writer out, Map<String, List<ScoredDoc>> rankings, String tag)
      throws IOException {
    requireToken(tag, "run tag");
    for (Map.Entry<String, List<ScoredDoc>> entry : rankings.entrySet()) {
      String queryId = requireToken(entry.getKey(), "query id");
      List<ScoredDoc> ranking = entry.getValue();
      double[] scores = strictlyDecreasingScores(queryId, ranking);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < ranking.size(); i++) {
        String docId = requireToken(ranking.get(i).docId(), "doc id");
        if (!seen.add(docId)) {
          throw new IllegalArgumentException(
              "duplicate doc '" + docId + "' for query '" + queryId + "'");
        }
        String rank = Integer.toString(i + 1);
        out.write(String.join(" ", queryId, "Q0", docId, rank, Double.toString(scores[i]), tag));
        out.write('\n');
      }
    }
  }

  /** Scores of {@code ranking} in list order, adjusted to be strictly decreasing. */
  private static double[] strictlyDecreasingScores(String queryId, List<ScoredDoc> ranking) {
    double[] scores = new double[ranking.size()];
    for (int i = 0; i < scores.length; i++) {
      double score = ranking.get(i).score();
      if (!Double.isFinite(score)) {
        throw new IllegalArgumentException(
            "non-finite score " + score + " for query '" + queryId + "'");
      }
      scores[i] = i == 0 ? score : Math.min(score, Math.nextDown(scores[i - 1]));
    }
    return scores;
  }

  private static String requireToken(String value, String what) {
    if (value == null || value.isEmpty() || value.codePoints().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(what + " '" + value + "' is empty or contains whitespace");
    }
    return value;
  }
}
