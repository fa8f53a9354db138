package io.rerankflow.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Packs rows into batches under a token budget. Rows are taken shortest first, so short rows are
 * not padded to long ones; a batch's padded cost is its longest row times its row count. A batch
 * also stops growing where the next row would make its padded cost more than {@value
 * #MAX_PADDED_PER_REAL} times its real tokens: a few short rows then run on their own rather than
 * padded to a long one. A row longer than the whole budget still gets a batch of its own.
 */
public final class BatchPlanner {
  /** Padded tokens per real token a batch may reach by taking one more row. */
  static final double MAX_PADDED_PER_REAL = 1.25;

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
    long real = 0;
    for (T row : sorted) {
      int rowLength = length.applyAsInt(row);
      if (!admits(current.size(), longest, real, rowLength)) {
        batches.add(current);
        current = new ArrayList<>();
        longest = 0;
        real = 0;
      }
      current.add(row);
      longest = Math.max(longest, rowLength);
      real += rowLength;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /**
   * Whether a batch of {@code rows} rows, the longest {@code longest} tokens and {@code realTokens}
   * in all, takes one more row of {@code length} tokens (never shorter than the ones it holds).
   */
  public boolean admits(int rows, int longest, long realTokens, int length) {
    if (rows == 0) {
      return true;
    }
    long padded = (long) Math.max(longest, length) * (rows + 1);
    return rows < maxBatchSize
        && padded <= maxBatchTokens
        && padded <= MAX_PADDED_PER_REAL * (realTokens + length);
  }
}
