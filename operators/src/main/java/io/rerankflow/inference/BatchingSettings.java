package io.rerankflow.inference;

import java.io.Serializable;

/**
 * How the engine packs rows from all requests in flight.
 *
 * @param maxBatchTokens padded-token budget of one batch (longest row x rows)
 * @param maxBatchSize most rows in one batch
 */
public record BatchingSettings(int maxBatchTokens, int maxBatchSize) implements Serializable {
  public static final BatchingSettings DEFAULTS = new BatchingSettings(768, 8);

  public BatchingSettings {
    if (maxBatchTokens < 1 || maxBatchSize < 1) {
      throw new IllegalArgumentException("--max-batch-tokens and --max-batch-size must be >= 1");
    }
  }
}
