package io.rerankflow.eval;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per-query metric values of one run against qrels, and their means over the evaluated queries.
 *
 * <p>Which queries are evaluated:
 *
 * <ul>
 *   <li>Only queries present in the run, like trec_eval without {@code -c}: a query that has qrels
 *       but no run results is left out of the means rather than scored 0.
 *   <li>Run queries absent from the qrels are ignored, as in trec_eval.
 *   <li>Queries with no relevant judgment (nothing at or above {@link Metrics#RELEVANCE_LEVEL}) are
 *       skipped. <b>trec_eval differs here</b>: it scores such a query 0 on every metric and counts
 *       it in the mean. This library skips them deliberately, which keeps unanswerable queries from
 *       diluting means and from entering paired tests as zero differences.
 * </ul>
 *
 * <p>{@code perQuery} is ordered by query id so that per-query arrays, and therefore seeded
 * significance tests, do not depend on file order.
 */
public record Evaluation(
    SortedMap<String, Map<Metric, Double>> perQuery, Map<Metric, Double> means) {

  public Evaluation {
    SortedMap<String, Map<Metric, Double>> copy = new TreeMap<>();
    perQuery.forEach((qid, values) -> copy.put(qid, Collections.unmodifiableMap(copyOf(values))));
    perQuery = Collections.unmodifiableSortedMap(copy);
    means = Collections.unmodifiableMap(copyOf(means));
  }

  /**
   * Evaluates {@code run} against {@code qrels} on every {@link Metric}.
   *
   * @throws IllegalArgumentException when no query has both run results and a relevant judgment
   */
  public static Evaluation evaluate(Qrels qrels, TrecRun run) {
    SortedMap<String, Map<Metric, Double>> perQuery = new TreeMap<>();
    for (String queryId : run.queryIds()) {
      Map<String, Integer> judgments = qrels.judgments(queryId);
      if (Metrics.relevantCount(judgments) == 0) {
        continue;
      }
      List<String> ranking = run.ranking(queryId).stream().map(ScoredDoc::docId).toList();
      Map<Metric, Double> values = new EnumMap<>(Metric.class);
      for (Metric metric : Metric.values()) {
        values.put(metric, metric.compute(ranking, judgments));
      }
      perQuery.put(queryId, values);
    }
    if (perQuery.isEmpty()) {
      throw new IllegalArgumentException(
          "no query has both run results and a relevant judgment ("
              + run.queryIds().size()
              + " run queries, "
              + qrels.queryIds().size()
              + " qrels queries)");
    }
    Map<Metric, Double> means = new EnumMap<>(Metric.class);
    for (Metric metric : Metric.values()) {
      double sum = 0;
      for (Map<Metric, Double> values : perQuery.values()) {
        sum += values.get(metric);
      }
      means.put(metric, sum / perQuery.size());
    }
    return new Evaluation(perQuery, means);
  }

  public int queryCount() {
    return perQuery.size();
  }

  public double mean(Metric metric) {
    return means.get(metric);
  }

  /** Values of {@code metric} for every evaluated query, in query id order. */
  public double[] values(Metric metric) {
    return perQuery.values().stream().mapToDouble(values -> values.get(metric)).toArray();
  }

  // EnumMap's copy constructor rejects an empty map that is not itself an EnumMap.
  private static Map<Metric, Double> copyOf(Map<Metric, Double> values) {
    return values.isEmpty() ? new EnumMap<>(Metric.class) : new EnumMap<>(values);
  }
}
