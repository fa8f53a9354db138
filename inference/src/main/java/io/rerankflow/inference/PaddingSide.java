package io.rerankflow.inference;

/** Where pad tokens go when a batch has sequences of different lengths. */
public enum PaddingSide {
  RIGHT,
  /** Decoder-style models (Llama rerankers) read the last position, so they pad on the left. */
  LEFT
}
