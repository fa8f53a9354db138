package io.rerankflow.eval.job;

import io.rerankflow.schemas.RerankOutput;
import java.util.List;

/**
 * What one model scored in an evaluation job, counted from its outputs: requests, failed requests,
 * pairs and tokens (query and passage tokens of every scored pair, as the NIM's usage counts them);
 * and its speed and padding from a {@link CostProbe}, when one ran.
 *
 * @param requests requests sent to the model
 * @param failed requests answered with an error record
 * @param pairs pairs scored
 * @param tokens prompt tokens of the scored pairs
 * @param probe the model's measured speed and padding, or null when not measured
 */
record ModelCost(int requests, int failed, long pairs, long tokens, CostProbe.Measurement probe) {

  static ModelCost of(List<RerankOutput> outputs, CostProbe.Measurement probe) {
    int failed = 0;
    long pairs = 0;
    long tokens = 0;
    for (RerankOutput out : outputs) {
      if (out.isError()) {
        failed++;
      } else {
        pairs += out.scoredPairs;
        tokens += out.promptTokens;
      }
    }
    return new ModelCost(outputs.size(), failed, pairs, tokens, probe);
  }

  /** Measured pairs/s as text, or "-" without a probe. */
  String pairsPerSecond() {
    return probe == null
        ? "-"
        : String.format(java.util.Locale.ROOT, "%.1f", probe.pairsPerSecond());
  }

  /** Measured padding share as text, or "-" without a probe. */
  String paddingWaste() {
    return probe == null
        ? "-"
        : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * probe.paddingWaste());
  }

  /** Mean tokens per scored pair; 0 when nothing was scored. */
  double tokensPerPair() {
    return pairs == 0 ? 0 : (double) tokens / pairs;
  }
}
