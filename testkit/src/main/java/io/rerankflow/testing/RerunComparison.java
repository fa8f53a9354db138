package io.rerankflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.RerankOutput;

/** Checks that two outputs for one request (a first run and a re-run) are the same record. */
public final class RerunComparison {
  /** Float noise allowed between runs whose batches were padded to different lengths. */
  public static final float LOGIT_TOLERANCE = 1e-6f;

  private RerunComparison() {}

  /**
   * Asserts the same id, model, usage or error, and per-passage logits within {@link
   * #LOGIT_TOLERANCE}; returns the largest logit difference.
   */
  public static double maxLogitDifference(RerankOutput first, RerankOutput rerun) {
    assertThat(rerun.id).isEqualTo(first.id);
    assertThat(rerun.model).as(first.id).isEqualTo(first.model);
    assertThat(rerun.errorType).as(first.id).isEqualTo(first.errorType);
    assertThat(rerun.errorMessage).as(first.id).isEqualTo(first.errorMessage);
    if (first.isError()) {
      return 0;
    }
    assertThat(rerun.promptTokens).as(first.id).isEqualTo(first.promptTokens);
    assertThat(rerun.indices).as(first.id).containsExactlyInAnyOrder(first.indices);
    float[] firstByPassage = byPassage(first);
    float[] rerunByPassage = byPassage(rerun);
    double max = 0;
    for (int p = 0; p < firstByPassage.length; p++) {
      double diff = Math.abs(firstByPassage[p] - rerunByPassage[p]);
      assertThat(diff).as("%s passage %d", first.id, p).isLessThanOrEqualTo(LOGIT_TOLERANCE);
      max = Math.max(max, diff);
    }
    return max;
  }

  private static float[] byPassage(RerankOutput out) {
    float[] logits = new float[out.indices.length];
    for (int rank = 0; rank < out.indices.length; rank++) {
      logits[out.indices[rank]] = out.logits[rank];
    }
    return logits;
  }
}
