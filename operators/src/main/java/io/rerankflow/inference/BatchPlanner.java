package io.rerankflow.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Packs rows into batches under a token budget. Rows are taken shortest first, so short rows are
 * not padded to long ones; a batch's padded cost is its longest row times its row count. A row
 * longer than the whole budget still gets a batch of its own.
 */
public final class BatchPlanner {
  private final int maxBatchTokens;
  private final int maxBatchSize;

  public BatchPlanner(BatchingSettings settings) {
    this.maxBatchTokens = settings.maxBatchTokens();
    this.maxBatchSize = settings.maxBatchSize();
  }

  /** Splits {@code rows} into batches; every row lands in exactly one batch. */
  public <T> List<List<T>> plan(List<T> rows, ToIntFunction<T> length) {
    List<T> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(length));
    List<List<T>> batches = new ArrayList<>();
    List<T> current = new ArrayList<>();
    int longest = 0;
    for (T row : sorted) {
      int rowLength = length.applyAsInt(row);
      int widened = Math.max(longest, rowLength);
      boolean fits =
          current.size() < maxBatchSize && (long) widened * (current.size() + 1) <= maxBatchTokens;
      if (!current.isEmpty() && !fits) {
        batches.add(current);
        current = new ArrayList<>();
        widened = rowLength;
      }
      current.add(row);
      longest = widened;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }
}
