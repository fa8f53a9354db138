package io.rerankflow.inference;

/** What the batching thread hears from the other threads, in the order it happened. */
sealed interface EngineEvent {

  /** A request was admitted: its rows join the pool. */
  record Submitted(PendingRequest request) implements EngineEvent {}

  /** A request was withdrawn by its caller: its waiting rows leave the pool unscored. */
  record Withdrawn(PendingRequest request) implements EngineEvent {}

  /** A batch came back from the inference thread: its outputs, or the exception it failed with. */
  record Scored(Batcher.Batch batch, float[][] outputs, Exception failure, long inferenceNanos)
      implements EngineEvent {}
}
