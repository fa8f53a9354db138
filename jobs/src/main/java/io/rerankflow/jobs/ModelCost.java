package io.rerankflow.jobs;

import io.rerankflow.schemas.RerankOutput;
import java.util.List;

/**
 * What one model scored in an evaluation job, counted from its outputs: requests, failed requests,
 * pairs and tokens (query and passage tokens of every scored pair, as the NIM's usage counts them).
 *
 * @param requests requests sent to the model
 * @param failed requests answered with an error record
 * @param pairs pairs scored
 * @param tokens prompt tokens of the scored pairs
 */
record ModelCost(int requests, int failed, long pairs, long tokens) {

  static ModelCost of(List<RerankOutput> outputs) {
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
    return new ModelCost(outputs.size(), failed, pairs, tokens);
  }

  /** Mean tokens per scored pair; 0 when nothing was scored. */
  double tokensPerPair() {
    return pairs == 0 ? 0 : (double) tokens / pairs;
  }
}
