package io.rerankflow.eval;

/** A retrieved document and the score the ranker gave it. */
public record ScoredDoc(String docId, double score) {}
