package io.rerankflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.schemas.RerankOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The tiny fp32 cross-encoder served as {@code tiny}, and the failure-free answer for a generated
 * request computed without the pipeline: the same tokenizer and the model's arithmetic in Java.
 */
public final class TinyModelExpectations implements AutoCloseable {
  public static final int MAX_LENGTH = 24;
  public static final TinyCrossEncoder TINY =
      TinyCrossEncoder.builder().tokenTypes(true).seed(11).build();

  private final Path modelDir;
  private final HuggingFaceTokenizer tokenizer;

  public TinyModelExpectations(Path dir) throws IOException {
    modelDir = TestModelDirs.crossEncoder(dir.resolve("tiny"), "tiny", TINY, MAX_LENGTH);
    tokenizer =
        HuggingFaceTokenizer.newInstance(
            modelDir.resolve("tokenizer.json"), Map.of("padding", "false", "truncation", "false"));
  }

  public Path modelDir() {
    return modelDir;
  }

  /** Per-passage logits and the token count, as one failure-free computation. */
  public RerankOutput expected(GeneratedRequest request) {
    float[] logits = new float[request.passages().size()];
    int tokens = 0;
    for (int p = 0; p < logits.length; p++) {
      Encoding pair = tokenizer.encode(request.query(), request.passages().get(p));
      long[] ids = pair.getIds();
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1L);
      logits[p] =
          TINY.expectedOutputs(
                  new long[][] {ids}, new long[][] {mask}, new long[][] {pair.getTypeIds()})[0][0];
      tokens += ids.length;
    }
    return RerankOutput.ranked(request.id(), "tiny", logits, tokens);
  }

  /** The pipeline's ranking of {@code request} is the failure-free one. */
  public void assertRanking(RerankOutput actual, GeneratedRequest request, String id) {
    RerankOutput expected = expected(request);
    assertThat(actual.isError()).as("%s: %s", id, actual).isFalse();
    assertThat(actual.id).isEqualTo(id);
    assertThat(actual.model).isEqualTo("tiny");
    assertThat(actual.indices)
        .as("%s: indices are a permutation", id)
        .containsExactlyInAnyOrder(IntStream.range(0, request.passages().size()).toArray());
    float[] byPassage = new float[actual.indices.length];
    for (int rank = 0; rank < actual.indices.length; rank++) {
      byPassage[actual.indices[rank]] = actual.logits[rank];
      if (rank > 0) {
        assertThat(actual.logits[rank])
            .as("%s: sorted", id)
            .isLessThanOrEqualTo(actual.logits[rank - 1]);
      }
    }
    for (int rank = 0; rank < expected.indices.length; rank++) {
      assertThat(byPassage[expected.indices[rank]])
          .as("%s: logit of passage %d", id, expected.indices[rank])
          .isCloseTo(expected.logits[rank], within(1e-5f));
    }
    assertThat(actual.promptTokens).as("%s: prompt tokens", id).isEqualTo(expected.promptTokens);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
