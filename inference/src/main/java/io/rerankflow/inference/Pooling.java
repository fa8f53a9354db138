package io.rerankflow.inference;

/** How a bi-encoder reduces token vectors to one embedding. */
public enum Pooling {
  /** The first token's vector (BGE, most BERT retrievers). */
  CLS,
  /** The attention-masked mean of all token vectors (sentence-transformers' default). */
  MEAN
}
