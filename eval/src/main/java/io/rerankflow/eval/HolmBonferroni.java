package io.rerankflow.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Holm's step-down correction for a family of tests: the k-th smallest of m p-values is multiplied
 * by (m − k + 1), adjusted values never decrease in that order, and none exceeds 1. Rejecting where
 * the adjusted p is below α controls the family-wise error rate at α.
 */
public final class HolmBonferroni {
  private HolmBonferroni() {}

  /** Adjusted p-values, aligned with {@code pValues}. */
  public static double[] adjust(double[] pValues) {
    int m = pValues.length;
    Integer[] order = new Integer[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> pValues[i]));
    double[] adjusted = new double[m];
    double running = 0;
    for (int k = 0; k < m; k++) {
      int at = order[k];
      running = Math.max(running, Math.min(1.0, (m - k) * pValues[at]));
      adjusted[at] = running;
    }
    return adjusted;
  }
}
