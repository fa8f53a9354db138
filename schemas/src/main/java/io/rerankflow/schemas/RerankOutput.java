package io.rerankflow.schemas;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One pipeline output: a ranking or an error record, never both. Every request yields exactly one.
 *
 * <p>A flat Flink POJO (public fields, no-arg constructor) so it serialises without Kryo and maps
 * one-to-one onto the JSONL, Kafka and Parquet outputs. Rankings are kept sorted by logit
 * descending, ties by lower index first.
 */
public class RerankOutput {
  /** Request correlation id. */
  public String id;

  /** The served model's canonical name; may be null on an error record. */
  public String model;

  /** Passage indices in ranked order; null on an error record. */
  public int[] indices;

  /** Logits aligned with {@link #indices}; null on an error record. */
  public float[] logits;

  public int promptTokens;
  public int totalTokens;

  /**
   * Pairs scored for this request: every passage, even when {@code top_n} returns fewer rankings; 0
   * on an error record.
   */
  public int scoredPairs;

  /**
   * Passage texts aligned with {@link #indices} when the request asked for {@code return_text};
   * null otherwise.
   */
  public String[] texts;

  /** The {@link ErrorKind#type()} of a failure; null on a ranking. */
  public String errorType;

  public String errorMessage;

  /** HTTP status the NIM would answer; 0 on a ranking. */
  public int errorStatus;

  /**
   * The request's transport headers, handed on unchanged (e.g. a Kafka reply-to header); null when
   * it had none. Transport metadata: not part of the JSON, Parquet or {@link #equals} view.
   */
  public Map<String, byte[]> headers;

  public RerankOutput() {}

  /** A ranking built from per-passage logits (passage i has {@code logitsByPassage[i]}). */
  public static RerankOutput ranked(
      String id, String model, float[] logitsByPassage, int promptTokens) {
    RerankOutput out = new RerankOutput();
    out.id = Objects.requireNonNull(id);
    out.model = Objects.requireNonNull(model);
    out.indices = RankingOrder.sortedIndices(logitsByPassage);
    out.logits = new float[out.indices.length];
    for (int i = 0; i < out.indices.length; i++) {
      out.logits[i] = logitsByPassage[out.indices[i]];
    }
    out.promptTokens = promptTokens;
    out.totalTokens = promptTokens;
    out.scoredPairs = logitsByPassage.length;
    return out;
  }

  /** An error record. */
  public static RerankOutput failed(String id, String model, RerankFailure failure) {
    RerankOutput out = new RerankOutput();
    out.id = Objects.requireNonNull(id);
    out.model = model;
    out.errorType = failure.kind().type();
    out.errorMessage = failure.message();
    out.errorStatus = failure.status();
    return out;
  }

  public boolean isError() {
    return errorType != null;
  }

  /** The failure of an error record. */
  public RerankFailure failure() {
    if (!isError()) {
      throw new IllegalStateException("not an error record: " + id);
    }
    return new RerankFailure(ErrorKind.fromType(errorType), errorMessage);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RerankOutput other)) {
      return false;
    }
    return promptTokens == other.promptTokens
        && totalTokens == other.totalTokens
        && errorStatus == other.errorStatus
        && scoredPairs == other.scoredPairs
        && Objects.equals(id, other.id)
        && Objects.equals(model, other.model)
        && Arrays.equals(indices, other.indices)
        && Arrays.equals(logits, other.logits)
        && Arrays.equals(texts, other.texts)
        && Objects.equals(errorType, other.errorType)
        && Objects.equals(errorMessage, other.errorMessage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, model, Arrays.hashCode(indices), errorType);
  }

  @Override
  public String toString() {
    return OutputJson.toPipelineJson(this);
  }
}
