package io.rerankflow.eval;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

/** The metrics an evaluation reports, each with its display label and trec_eval name. */
public enum Metric {
  NDCG_AT_10(
      "NDCG@10", "ndcg_cut.10", (ranking, judgments) -> Metrics.ndcgAt(10, ranking, judgments)),
  MRR_AT_10(
      "MRR@10",
      "recip_rank (top 10)",
      (ranking, judgments) -> Metrics.reciprocalRankAt(10, ranking, judgments)),
  RECALL_AT_100(
      "Recall@100",
      "recall_100",
      (ranking, judgments) -> Metrics.recallAt(100, ranking, judgments)),
  MAP("MAP", "map", Metrics::averagePrecision);

  private final String label;
  private final String trecEvalName;
  private final ToDoubleBiFunction<List<String>, Map<String, Integer>> function;

  Metric(
      String label,
      String trecEvalName,
      ToDoubleBiFunction<List<String>, Map<String, Integer>> function) {
    this.label = label;
    this.trecEvalName = trecEvalName;
    this.function = function;
  }

  public String label() {
    return label;
  }

  public String trecEvalName() {
    return trecEvalName;
  }

  /** This metric for one query: doc ids in evaluation order against that query's judgments. */
  public double compute(List<String> ranking, Map<String, Integer> judgments) {
    return function.applyAsDouble(ranking, judgments);
  }
}
