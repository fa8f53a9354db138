package io.rerankflow.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Compares a first-stage run with its reranking on each evaluated {@link Metric}: means, delta,
 * paired randomisation-test p-value and per-query deltas, rendered as JSON or as a fixed-width
 * table.
 *
 * @param queryCount number of queries both evaluations cover
 * @param significance the test configuration that produced the p-values
 * @param metrics one comparison per metric, in the evaluations' metric order
 * @param perQueryDeltas query id → metric → reranked minus first-stage value
 */
public record MetricsReport(
    int queryCount,
    PairedSignificance significance,
    List<MetricComparison> metrics,
    SortedMap<String, Map<Metric, Double>> perQueryDeltas) {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String ROW_FORMAT = "%-12s%-13s%-11s%-10s%s\n";

  public MetricsReport {
    metrics = List.copyOf(metrics);
    SortedMap<String, Map<Metric, Double>> copy = new TreeMap<>();
    perQueryDeltas.forEach(
        (qid, deltas) -> copy.put(qid, Collections.unmodifiableMap(new LinkedHashMap<>(deltas))));
    perQueryDeltas = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Compares two evaluations of the same queries with a paired randomisation test.
   *
   * @throws IllegalArgumentException when the evaluations cover different queries, since a paired
   *     test needs both values for every query
   */
  public static MetricsReport compare(
      Evaluation firstStage, Evaluation reranked, PairedSignificance significance) {
    if (!firstStage.metrics().equals(reranked.metrics())) {
      throw new IllegalArgumentException(
          "the evaluations report different metrics: "
              + firstStage.metrics()
              + " vs "
              + reranked.metrics());
    }
    if (!firstStage.perQuery().keySet().equals(reranked.perQuery().keySet())) {
      throw new IllegalArgumentException(
          "first-stage and reranked evaluations cover different queries ("
              + firstStage.queryCount()
              + " vs "
              + reranked.queryCount()
              + "); a paired comparison needs the same queries in both runs");
    }
    List<MetricComparison> comparisons = new ArrayList<>();
    for (Metric metric : firstStage.metrics()) {
      double first = firstStage.mean(metric);
      double second = reranked.mean(metric);
      double p =
          significance.randomisationPValue(firstStage.values(metric), reranked.values(metric));
      comparisons.add(new MetricComparison(metric, first, second, second - first, p));
    }
    SortedMap<String, Map<Metric, Double>> deltas = new TreeMap<>();
    firstStage
        .perQuery()
        .forEach(
            (qid, firstValues) -> {
              Map<Metric, Double> rerankedValues = reranked.perQuery().get(qid);
              Map<Metric, Double> queryDeltas = new LinkedHashMap<>();
              for (Metric metric : firstStage.metrics()) {
                queryDeltas.put(metric, rerankedValues.get(metric) - firstValues.get(metric));
              }
              deltas.put(qid, queryDeltas);
            });
    return new MetricsReport(firstStage.queryCount(), significance, comparisons, deltas);
  }

  /** Pretty-printed JSON with the summary, the test configuration and per-query deltas. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("queries", queryCount);
    ObjectNode test = root.putObject("significanceTest");
    test.put("name", "paired randomisation (sign flip), two-sided");
    test.put("trials", significance.trials());
    test.put("seed", significance.seed());
    ArrayNode summary = root.putArray("metrics");
    for (MetricComparison comparison : metrics) {
      ObjectNode row = summary.addObject();
      row.put("metric", comparison.metric().label());
      row.put("trecEval", comparison.metric().trecEvalName());
      row.put("firstStage", comparison.firstStage());
      row.put("reranked", comparison.reranked());
      row.put("delta", comparison.delta());
      row.put("pValue", comparison.pValue());
    }
    ObjectNode perQuery = root.putObject("perQueryDeltas");
    perQueryDeltas.forEach(
        (qid, deltas) -> {
          ObjectNode query = perQuery.putObject(qid);
          deltas.forEach((metric, delta) -> query.put(metric.label(), delta));
        });
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // Serialising a tree of plain nodes cannot fail; surface it unchecked if it ever does.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fixed-width table, one row per metric, followed by a line naming the query count and test:
   *
   * <pre>
   * metric      first-stage  reranked   delta     p
   * NDCG@10     0.4123       0.5234     +0.1111   0.0312
   * </pre>
   */
  public String toText() {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(Locale.ROOT, ROW_FORMAT, "metric", "first-stage", "reranked", "delta", "p"));
    for (MetricComparison comparison : metrics) {
      text.append(
          String.format(
              Locale.ROOT,
              ROW_FORMAT,
              comparison.metric().label(),
              String.format(Locale.ROOT, "%.4f", comparison.firstStage()),
              String.format(Locale.ROOT, "%.4f", comparison.reranked()),
              String.format(Locale.ROOT, "%+.4f", comparison.delta()),
              String.format(Locale.ROOT, "%.4f", comparison.pValue())));
    }
    text.append(
        String.format(
            Locale.ROOT,
            "queries: %d; p: two-sided paired randomisation test, %d trials, seed %d\n",
            queryCount,
            significance.trials(),
            significance.seed()));
    return text.toString();
  }
}
