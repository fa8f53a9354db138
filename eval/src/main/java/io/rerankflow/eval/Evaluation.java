package io.rerankflow.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** Evaluates {@code run} against {@code qrels} on the {@link Metric#DEFAULTS}. */
  public static Evaluation evaluate(Qrels qrels, TrecRun run) {
    return evaluate(qrels, run, Metric.DEFAULTS);
  }

  /**
   * Evaluates {@code run} against {@code qrels} on {@code metrics}, in that order.
   *
   * @throws IllegalArgumentException when no query has both run results and a relevant judgment
   */
  public static Evaluation evaluate(Qrels qrels, TrecRun run, List<Metric> metrics) {
    SortedMap<String, Map<Metric, Double>> perQuery = new TreeMap<>();
    for (String queryId : run.queryIds()) {
      Map<String, Integer> judgments = qrels.judgments(queryId);
      if (Metrics.relevantCount(judgments) == 0) {
        continue;
      }
      List<String> ranking = run.ranking(queryId).stream().map(ScoredDoc::docId).toList();
      Map<Metric, Double> values = new LinkedHashMap<>();
      for (Metric metric : metrics) {
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
    return new Evaluation(perQuery, means(perQuery, metrics));
  }

  private static Map<Metric, Double> means(
      SortedMap<String, Map<Metric, Double>> perQuery, List<Metric> metrics) {
    Map<Metric, Double> means = new LinkedHashMap<>();
    for (Metric metric : metrics) {
      double sum = 0;
      for (Map<Metric, Double> values : perQuery.values()) {
        sum += values.get(metric);
      }
      means.put(metric, sum / perQuery.size());
    }
    return means;
  }

  /**
   * This evaluation over {@code queryIds} only (those it has), with means recomputed: how a
   * comparison keeps every system on the same queries.
   *
   * @throws IllegalArgumentException when none of them is left
   */
  public Evaluation restrictedTo(Set<String> queryIds) {
    SortedMap<String, Map<Metric, Double>> kept = new TreeMap<>(perQuery);
    kept.keySet().retainAll(queryIds);
    if (kept.isEmpty()) {
      throw new IllegalArgumentException("no evaluated query is left to compare");
    }
    return new Evaluation(kept, means(kept, metrics()));
  }

  /** The metrics evaluated, in report order. */
  public List<Metric> metrics() {
    return List.copyOf(means.keySet());
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

  private static Map<Metric, Double> copyOf(Map<Metric, Double> values) {
    return new LinkedHashMap<>(values);
  }
}
