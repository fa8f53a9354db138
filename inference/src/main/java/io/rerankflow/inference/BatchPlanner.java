package io.rerankflow.inference;

import java.util.List;

/**
 * Decides how far a batch grows under a token budget; {@link RowPool} takes the rows (shortest
 * first), this says when to stop. A batch's padded cost is its longest row times its row count. A
 * batch also stops growing where the next row would make its padded cost more than {@value
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

  /**
   * How the engine's row pool packs {@code rows} that all wait at once (identical rows once), in
   * the order it runs the batches: for benchmarks that need the pipeline's own packing.
   */
  public List<List<EncodedSequence>> packAll(List<EncodedSequence> rows) {
    return RowPool.packAll(rows, this);
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
