package io.rerankflow.eval;

import java.util.List;
import java.util.Map;

/**
 * Per-query retrieval metrics with trec_eval's definitions.
 *
 * <p>{@code ranking} is the list of doc ids in evaluation order (see {@link
 * TrecRun#TREC_EVAL_ORDER}) and {@code judgments} maps doc id to relevance for that query. Unjudged
 * documents count as relevance 0, and so do negative relevance values. The binary metrics
 * (reciprocal rank, recall, average precision) call a document relevant when its relevance is at
 * least {@link #RELEVANCE_LEVEL}, trec_eval's default {@code -l 1}; nDCG uses the graded relevance
 * itself as gain.
 */
public final class Metrics {

  /** trec_eval's default relevance level: judged at least this means relevant. */
  public static final int RELEVANCE_LEVEL = 1;

  private static final double LN_2 = Math.log(2);

  private Metrics() {}

  /**
   * nDCG at {@code cutoff}, as trec_eval's {@code ndcg_cut}: gain is the relevance value (linear,
   * not 2^rel − 1), the document at rank r is discounted by log2(r + 1), and the ideal DCG ranks
   * all of the query's judged documents with relevance &gt; 0 by relevance, whether retrieved or
   * not, cut at the same depth. 0 when the query has no document with positive relevance.
   */
  public static double ndcgAt(int cutoff, List<String> ranking, Map<String, Integer> judgments) {
    double dcg = 0;
    int depth = Math.min(cutoff, ranking.size());
    for (int i = 0; i < depth; i++) {
      dcg += gain(judgments.get(ranking.get(i))) / log2(i + 2);
    }
    int[] idealGains =
        judgments.values().stream()
            .filter(relevance -> relevance > 0)
            .sorted((a, b) -> Integer.compare(b, a))
            .limit(cutoff)
            .mapToInt(Integer::intValue)
            .toArray();
    double idealDcg = 0;
    for (int i = 0; i < idealGains.length; i++) {
      idealDcg += idealGains[i] / log2(i + 2);
    }
    return idealDcg > 0 ? dcg / idealDcg : 0;
  }

  /**
   * Reciprocal rank of the first relevant document within the top {@code cutoff}, 0 when there is
   * none; trec_eval's {@code recip_rank} computed on the top {@code cutoff} documents ({@code -M}).
   */
  public static double reciprocalRankAt(
      int cutoff, List<String> ranking, Map<String, Integer> judgments) {
    int depth = Math.min(cutoff, ranking.size());
    for (int i = 0; i < depth; i++) {
      if (isRelevant(judgments.get(ranking.get(i)))) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  /**
   * Relevant documents in the top {@code cutoff} divided by all relevant documents of the query, as
   * trec_eval's {@code recall_<cutoff>}; 0 when the query has no relevant document.
   */
  public static double recallAt(int cutoff, List<String> ranking, Map<String, Integer> judgments) {
    int relevant = relevantCount(judgments);
    if (relevant == 0) {
      return 0;
    }
    int retrievedRelevant = 0;
    int depth = Math.min(cutoff, ranking.size());
    for (int i = 0; i < depth; i++) {
      if (isRelevant(judgments.get(ranking.get(i)))) {
        retrievedRelevant++;
      }
    }
    return (double) retrievedRelevant / relevant;
  }

  /**
   * Average precision over the whole ranking, as trec_eval's {@code map}: precision at the rank of
   * each retrieved relevant document, summed, divided by the number of relevant documents of the
   * query, so relevant documents never retrieved contribute 0. 0 when nothing relevant is
   * retrieved.
   */
  public static double averagePrecision(List<String> ranking, Map<String, Integer> judgments) {
    int relevant = relevantCount(judgments);
    if (relevant == 0) {
      return 0;
    }
    int relevantSoFar = 0;
    double precisionSum = 0;
    for (int i = 0; i < ranking.size(); i++) {
      if (isRelevant(judgments.get(ranking.get(i)))) {
        relevantSoFar++;
        precisionSum += (double) relevantSoFar / (i + 1);
      }
    }
    return precisionSum / relevant;
  }

  /** Number of the query's documents judged at least {@link #RELEVANCE_LEVEL}. */
  public static int relevantCount(Map<String, Integer> judgments) {
    return (int) judgments.values().stream().filter(Metrics::isRelevant).count();
  }

  private static boolean isRelevant(Integer relevance) {
    return relevance != null && relevance >= RELEVANCE_LEVEL;
  }

  private static double gain(Integer relevance) {
    return relevance == null ? 0 : Math.max(relevance, 0);
  }

  private static double log2(double x) {
    return Math.log(x) / LN_2;
  }
}
