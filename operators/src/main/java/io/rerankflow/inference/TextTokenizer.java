package io.rerankflow.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.rerankflow.inference.Truncation.Role;
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
 * batch, and truncation is decided by {@link Truncation} on the full encoding, the same way for a
 * tokenizer pair, a filled template and a single text. The native tokenizer therefore never
 * truncates, which also keeps clear of Hugging Face's {@code only_second} strategy: it panics in
 * native code (killing the JVM) when the first sequence alone reaches the limit.
 */
public final class TextTokenizer implements AutoCloseable {
  static {
    // DJL "calls home" (a cloud metadata lookup plus telemetry) when a tokenizer is created.
    // Workers must never make network calls of their own, so opt out before the first load.
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.offline", "true");
    TokenizerLibrary.load();
  }

  // DJL marks tokens added by the post-processor with sequence id -1 (Hugging Face's None).
  private static final long ADDED_BY_POST_PROCESSOR = -1;
  private static final long SECOND_SEQUENCE = 1;

  private final int maxLength;
  private final HuggingFaceTokenizer tokenizer;

  public TextTokenizer(Path tokenizerJson, int maxLength) {
    this.maxLength = maxLength;
    try {
      this.tokenizer =
          HuggingFaceTokenizer.newInstance(
              tokenizerJson,
              Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
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
    Encoding encoding = tokenizer.encode(query, passage);
    long[] sequences = encoding.getSequenceIds();
    Role[] roles = new Role[sequences.length];
    for (int i = 0; i < roles.length; i++) {
      roles[i] =
          sequences[i] == ADDED_BY_POST_PROCESSOR
              ? Role.SPECIAL
              : sequences[i] == SECOND_SEQUENCE ? Role.PASSAGE : Role.TEXT;
    }
    return truncate(encoding, roles, truncate);
  }

  /**
   * Encodes a filled pair template as one text; under {@link Truncate#END} the passage's tokens go
   * first.
   *
   * @throws RerankException {@link ErrorKind#INPUT_TOO_LONG} when the prompt is over the limit and
   *     truncation is {@link Truncate#NONE}
   */
  public EncodedSequence encodePrompt(PromptTemplate.Prompt prompt, Truncate truncate)
      throws RerankException {
    String text = prompt.text();
    Encoding encoding = tokenizer.encode(text);
    // Token spans count Unicode code points, not UTF-16 chars.
    int passageStart = text.codePointCount(0, prompt.passageStart());
    int passageEnd = passageStart + text.codePointCount(prompt.passageStart(), prompt.passageEnd());
    long[] sequences = encoding.getSequenceIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    Role[] roles = new Role[sequences.length];
    for (int i = 0; i < roles.length; i++) {
      if (sequences[i] == ADDED_BY_POST_PROCESSOR) {
        roles[i] = Role.SPECIAL;
      } else {
        boolean inPassage =
            spans[i] != null
                && spans[i].getStart() >= passageStart
                && spans[i].getEnd() <= passageEnd;
        roles[i] = inPassage ? Role.PASSAGE : Role.TEXT;
      }
    }
    return truncate(encoding, roles, truncate);
  }

  /** Encodes one text on its own (bi-encoder queries and passages). */
  public EncodedSequence encodeSingle(String text, Truncate truncate) throws RerankException {
    Encoding encoding = tokenizer.encode(text);
    long[] sequences = encoding.getSequenceIds();
    Role[] roles = new Role[sequences.length];
    for (int i = 0; i < roles.length; i++) {
      roles[i] = sequences[i] == ADDED_BY_POST_PROCESSOR ? Role.SPECIAL : Role.TEXT;
    }
    return truncate(encoding, roles, truncate);
  }

  private EncodedSequence truncate(Encoding encoding, Role[] roles, Truncate truncate)
      throws RerankException {
    return Truncation.apply(encoding.getIds(), encoding.getTypeIds(), roles, maxLength, truncate);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
