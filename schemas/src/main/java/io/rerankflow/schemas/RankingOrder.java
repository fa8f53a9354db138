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
    Comparator<Integer> byLogitDescending = (a, b) -> compareDescending(logits[a], logits[b]);
    Arrays.sort(order, byLogitDescending.thenComparingInt(i -> i));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  // Numeric equality, not Float.compare: 0.0 and -0.0 are a tie, so the lower index wins. NaN
  // ranks below -Infinity too, which mapping it to -Infinity would not guarantee.
  private static int compareDescending(float x, float y) {
    boolean xNaN = Float.isNaN(x);
    boolean yNaN = Float.isNaN(y);
    if (xNaN || yNaN) {
      return Boolean.compare(xNaN, yNaN);
    }
    return x == y ? 0 : (x > y ? -1 : 1);
  }
}
