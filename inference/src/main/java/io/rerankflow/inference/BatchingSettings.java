package io.rerankflow.inference;

import java.io.Serializable;

/**
 * How the engine packs rows from all requests in flight.
 *
 * @param maxBatchTokens padded-token budget of one batch (longest row x rows)
 * @param maxBatchSize most rows in one batch
 */
public record BatchingSettings(int maxBatchTokens, int maxBatchSize) implements Serializable {
  /** On CPU, from measurement: 768 padded tokens, 8 rows. */
  public static final BatchingSettings DEFAULTS = new BatchingSettings(768, 8);

  /**
   * On a GPU, not measured here (no GPU was at hand): text-embeddings-inference's default budget of
   * 16,384 batch tokens ({@code --max-batch-tokens}), which it uses for rerankers on data-centre
   * GPUs; TEI leaves rows uncapped, here 128 rows (60 pairs of 271 tokens fill the budget).
   */
  public static final BatchingSettings GPU_DEFAULTS = new BatchingSettings(16_384, 128);

  /**
   * The defaults where {@code device} runs: {@link #GPU_DEFAULTS} on CUDA, else {@link #DEFAULTS}.
   */
  public static BatchingSettings defaults(Device device) {
    // auto may end on the CPU; the CPU's batches are the safe ones there.
    return device.type() == Device.Type.CUDA ? GPU_DEFAULTS : DEFAULTS;
  }

  public BatchingSettings {
    if (maxBatchTokens < 1 || maxBatchSize < 1) {
      throw new IllegalArgumentException("--max-batch-tokens and --max-batch-size must be >= 1");
    }
  }
}
