package io.rerankflow.eval;

/** One passage of a BEIR corpus; {@code title} is empty when the corpus gives none. */
public record BeirDocument(String id, String title, String text) {}
