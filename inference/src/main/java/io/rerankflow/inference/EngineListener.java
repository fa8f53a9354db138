package io.rerankflow.inference;

/**
 * What the engine reports as it works, for metrics. Called on the engine's batching thread or, for
 * tokenisation, on the encoding threads (so possibly concurrently), never on the thread that runs
 * the model; implementations must be quick.
 */
public interface EngineListener {
  /** Reports nothing. */
  EngineListener NONE = new EngineListener() {};

  /**
   * A batch came back from the model.
   *
   * @param rows rows in the batch
   * @param realTokens tokens of the rows themselves
   * @param paddedTokens tokens the model computed (rows times the longest row)
   * @param inferenceNanos time inside the model
   */
  default void batchScored(int rows, long realTokens, long paddedTokens, long inferenceNanos) {}

  /**
   * A request's first row went into a batch.
   *
   * @param queueWaitNanos time since the request was submitted
   */
  default void requestStarted(long queueWaitNanos) {}

  /**
   * A request completed with a ranking.
   *
   * @param pairs passages scored
   */
  default void requestScored(int pairs) {}

  /**
   * A request's passages were looked up in its model's passage cache (on an encoding thread).
   *
   * @param hits passages whose ids were cached
   * @param misses passages that had to be encoded
   */
  default void passagesLookedUp(int hits, int misses) {}
}
