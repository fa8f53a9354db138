package io.rerankflow.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A HuggingFace {@code tokenizer.json} with the NIM's truncation rules applied exactly.
 *
 * <p>Padding and truncation baked into {@code tokenizer.json} are overridden: padding happens per
 * batch, and truncation is decided here. Three native tokenizers share the file: one that never
 * truncates (to measure), one that truncates only the passage, one that truncates longest-first.
 * The passage-only one is used only when the query leaves room for at least one passage token,
 * because HuggingFace's {@code only_second} strategy panics in native code (killing the JVM) when
 * the first sequence alone reaches the limit.
 */
public final class TextTokenizer implements AutoCloseable {
  static {
    // DJL "calls home" (a cloud metadata lookup plus telemetry) when a tokenizer is created.
    // Workers must never make network calls of their own, so opt out before the first load.
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.offline", "true");
    // TokenizerLibrary.load();
  }

  private final int maxLength;
  private final HuggingFaceTokenizer measuring;
  private final HuggingFaceTokenizer passageFirst;
  private final HuggingFaceTokenizer longestFirst;

  public TextTokenizer(Path tokenizerJson, int maxLength) {
    this.maxLength = maxLength;
    this.measuring = load(tokenizerJson, "false", maxLength);
    this.passageFirst = load(tokenizerJson, "only_second", maxLength);
    this.longestFirst = load(tokenizerJson, "longest_first", maxLength);
  }

  private static HuggingFaceTokenizer load(Path file, String truncation, int maxLength) {
    String limit = Integer.toString(maxLength);
    try {
      return HuggingFaceTokenizer.newInstance(
          file,
          Map.of(
              "padding", "false",
              "truncation", truncation,
              "maxLength", limit,
              "modelMaxLength", limit,
              "addSpecialTokens", "true"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + file, e);
    }
  }

  public int maxLength() {
    return maxLength;
  }

  /**
   * Encodes a query–passage pair with the tokenizer's pair template.
   *
   * @throws RerankException {@link ErrorKind#INPUT_TOO_LONG} when the pair is over the limit and
   *     truncation is {@link Truncate#NONE}
   */
  public EncodedSequence encodePair(String query, String passage, Truncate truncate)
      throws RerankException {
    Encoding full = measuring.encode(query, passage);
    if (full.getIds().length <= maxLength) {
      return sequence(full);
    }
    if (truncate == Truncate.NONE) {
      throw tooLong(full.getIds().length);
    }
    int queryWithTemplate = measuring.encode(query, "").getIds().length;
    if (queryWithTemplate < maxLength) {
      return sequence(passageFirst.encode(query, passage));
    }
    // The query alone fills the limit: drop the passage, cut the query to fit.
    return sequence(longestFirst.encode(query, ""));
  }

  /** Encodes one text on its own (bi-encoder queries and passages). */
  public EncodedSequence encodeSingle(String text, Truncate truncate) throws RerankException {
    Encoding full = measuring.encode(text);
    if (full.getIds().length <= maxLength) {
      return sequence(full);
    }
    if (truncate == Truncate.NONE) {
      throw tooLong(full.getIds().length);
    }
    return sequence(longestFirst.encode(text));
  }

  private RerankException tooLong(int length) {
    return new RerankException(
        ErrorKind.INPUT_TOO_LONG,
        "Input length " + length + " exceeds maximum allowed token size " + maxLength);
  }

  private static EncodedSequence sequence(Encoding encoding) {
    return new EncodedSequence(encoding.getIds(), encoding.getTypeIds());
  }

  @Override
  public void close() {
    measuring.close();
    passageFirst.close();
    longestFirst.close();
  }
}
