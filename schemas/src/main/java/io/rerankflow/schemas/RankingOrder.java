package io.rerankflow.schemas;

import java.util.Arrays;
import java.util.Comparator;

/** The NIM's ranking order: logit descending, ties broken by the lower passage index. */
public final class RankingOrder {
  private RankingOrder() {}

  /**
   * Passage indices sorted by their logit. NaN (a broken model output) sorts after every number so
   * it never displaces a real score.
   */
  public static int[] sortedIndices(float[] logits) {
    Integer[] order = new Integer[logits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Comparator<Integer> byLogitDescending =
        (a, b) -> Float.compare(nanLowest(logits[b]), nanLowest(logits[a]));
    Arrays.sort(order, byLogitDescending.thenComparingInt(i -> i));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  private static float nanLowest(float value) {
    return Float.isNaN(value) ? Float.NEGATIVE_INFINITY : value;
  }
}
