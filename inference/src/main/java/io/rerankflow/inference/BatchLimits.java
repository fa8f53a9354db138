package io.rerankflow.inference;

import java.util.List;

/**
 * The limits a batch grows under, as {@link RowPool} applies them row by row (it takes the rows,
 * shortest first; these say when to stop): at most {@code --max-batch-size} rows, a padded cost
 * (longest row times row count) within {@code --max-batch-tokens}, and a padded cost of at most
 * {@value #MAX_PADDED_PER_REAL} times the batch's real tokens, so a few short rows run on their own
 * rather than padded to a long one. A row longer than the whole budget still gets a batch of its
 * own.
 */
public final class BatchLimits {
  /** Padded tokens per real token a batch may reach by taking one more row. */
  static final double MAX_PADDED_PER_REAL = 1.25;

  private final int maxBatchTokens;
  private final int maxBatchSize;

  public BatchLimits(BatchingSettings settings) {
    this.maxBatchTokens = settings.maxBatchTokens();
    this.maxBatchSize = settings.maxBatchSize();
  }

  /**
   * How the engine's row pool packs {@code rows} that all wait at once under these limits
   * (identical rows once), in the order it runs the batches: for benchmarks that need the
   * pipeline's own packing.
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
