package io.rerankflow.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.inference.Truncation.Role;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HuggingFace {@code tokenizer.json} with the NIM's truncation rules applied exactly.
 *
 * <p>Padding and truncation baked into {@code tokenizer.json} are overridden: padding happens per
 * batch, and truncation is decided by {@link Truncation} on the full encoding, the same way for a
 * tokenizer pair, a filled template and a single text. The native tokenizer therefore never
 * truncates, which also keeps clear of Hugging Face's {@code only_second} strategy: it panics in
 * native code (killing the JVM) when the first sequence alone reaches the limit.
 *
 * <p>Hugging Face encodes each text of a pair on its own and only then lets the post-processor join
 * them, so a pair's ids are the query's ids and the passage's ids with special tokens around them.
 * Where the post-processor is one of the fixed-layout kinds, the layout is learned at load from the
 * tokenizer's own pair encodings of probe texts and checked on all of them; a pair is then
 * {@linkplain #splicePair spliced} from separately encoded texts (each passage encoded once, see
 * {@link PassageCache}). Anything else, or any probe that disagrees, encodes pairs whole, and the
 * load says so.
 */
public final class TextTokenizer implements AutoCloseable {
  static {
    // DJL "calls home" (a cloud metadata lookup plus telemetry) when a tokenizer is created.
    // Workers must never make network calls of their own, so opt out before the first load.
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.offline", "true");
    TokenizerLibrary.load();
  }

  private static final Logger LOG = LoggerFactory.getLogger(TextTokenizer.class);

  // DJL marks tokens added by the post-processor with sequence id -1 (Hugging Face's None).
  private static final long ADDED_BY_POST_PROCESSOR = -1;
  private static final long SECOND_SEQUENCE = 1;

  /** Post-processors whose special tokens and type ids do not depend on the texts. */
  private static final Set<String> FIXED_LAYOUT_PROCESSORS =
      Set.of("TemplateProcessing", "RobertaProcessing", "BertProcessing", "ByteLevel");

  /**
   * Texts the learned layout must reproduce the tokenizer's own encoding for: case, accents, CJK,
   * emoji, leading and trailing whitespace, empty. Also catches DJL's own text preparation
   * (lower-casing, accent stripping, a prefix space) that the native calls below bypass.
   */
  private static final List<String> PROBES =
      List.of(
          "Which way should I go?",
          "two roads diverged in a yellow wood",
          " Señor naïve café, 東京 😀 x",
          "",
          "\ttabs\nand  spaces ",
          "A");

  private static final TokenizersLibrary NATIVE = TokenizersLibrary.LIB;

  private final int maxLength;
  private final HuggingFaceTokenizer tokenizer;
  private final long handle;
  private final SpecialTokenLayout pairLayout;
  private final SpecialTokenLayout singleLayout;

  public TextTokenizer(Path tokenizerJson, int maxLength) {
    this(tokenizerJson, maxLength, true);
  }

  private TextTokenizer(Path tokenizerJson, int maxLength, boolean splice) {
    this.maxLength = maxLength;
    try {
      this.tokenizer =
          HuggingFaceTokenizer.newInstance(
              tokenizerJson,
              Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
    }
    this.handle = tokenizer.getHandle();
    String processor = splice ? postProcessorKind(tokenizerJson) : "(splicing off)";
    if (processor == null || FIXED_LAYOUT_PROCESSORS.contains(processor)) {
      this.pairLayout = learn(2);
      this.singleLayout = learn(1);
    } else {
      this.pairLayout = null;
      this.singleLayout = null;
    }
    if (pairLayout != null) {
      LOG.info(
          "tokenizer {}: pairs are spliced from separately encoded texts ({} special tokens)",
          tokenizerJson,
          pairLayout.specialCount());
    } else if (splice) {
      LOG.warn(
          "tokenizer {}: pairs are encoded whole, each passage again for every query: its"
              + " post-processor ({}) does not join separately encoded texts as they are",
          tokenizerJson,
          processor);
    }
  }

  /** A tokenizer that encodes every pair and text whole, as Hugging Face's own pair call does. */
  static TextTokenizer wholeText(Path tokenizerJson, int maxLength) {
    return new TextTokenizer(tokenizerJson, maxLength, false);
  }

  public int maxLength() {
    return maxLength;
  }

  /** Whether {@link #splicePair} is available: pairs can be built from separately encoded texts. */
  public boolean splicesPairs() {
    return pairLayout != null;
  }

  /** Whether {@link #spliceSingle} is available. */
  public boolean splicesSingles() {
    return singleLayout != null;
  }

  /**
   * A text's token ids, no special tokens; only the ids cross from native code (no tokens, char
   * spans or overflow).
   */
  public int[] tokenIds(String text) {
    long encoding = NATIVE.encode(handle, text, false);
    try {
      return narrow(NATIVE.getTokenIds(encoding));
    } finally {
      NATIVE.deleteEncoding(encoding);
    }
  }

  /**
   * The pair row of a query and a passage given their {@link #tokenIds}: the same ids and type ids
   * as {@link #encodePair} on their texts, truncated by the same rule.
   *
   * @throws IllegalStateException when {@link #splicesPairs()} is false
   */
  public EncodedSequence splicePair(int[] query, int[] passage, Truncate truncate)
      throws RerankException {
    return splice(pairLayout, new int[][] {query, passage}, truncate);
  }

  /** The single-text row of {@link #tokenIds}, as {@link #encodeSingle} gives it. */
  public EncodedSequence spliceSingle(int[] text, Truncate truncate) throws RerankException {
    return splice(singleLayout, new int[][] {text}, truncate);
  }

  private EncodedSequence splice(SpecialTokenLayout layout, int[][] sequences, Truncate truncate)
      throws RerankException {
    if (layout == null) {
      throw new IllegalStateException("this tokenizer encodes its rows whole");
    }
    int[] lengths = new int[sequences.length];
    for (int k = 0; k < lengths.length; k++) {
      lengths[k] = sequences[k].length;
    }
    return layout.build(
        sequences, Truncation.keep(lengths, layout.specialCount(), maxLength, truncate));
  }

  /**
   * Encodes a query–passage pair with the tokenizer's pair template.
   *
   * @throws RerankException {@link ErrorKind#INPUT_TOO_LONG} when the pair is over the limit and
   *     truncation is {@link Truncate#NONE}
   */
  public EncodedSequence encodePair(String query, String passage, Truncate truncate)
      throws RerankException {
    if (pairLayout != null) {
      return splicePair(tokenIds(query), tokenIds(passage), truncate);
    }
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
    if (singleLayout != null) {
      return spliceSingle(tokenIds(text), truncate);
    }
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

  /**
   * The layout of {@code sequenceCount} joined texts, read off the tokenizer's own encoding of the
   * first probes and accepted only if splicing reproduces its encoding of every probe (pair).
   */
  private SpecialTokenLayout learn(int sequenceCount) {
    Encoding first =
        sequenceCount == 2
            ? tokenizer.encode(PROBES.get(0), PROBES.get(1))
            : tokenizer.encode(PROBES.get(0));
    SpecialTokenLayout layout =
        SpecialTokenLayout.read(
            first.getIds(), first.getTypeIds(), first.getSequenceIds(), sequenceCount);
    if (layout == null) {
      return null;
    }
    for (String a : PROBES) {
      for (String b : sequenceCount == 2 ? PROBES : List.of(a)) {
        Encoding expected = sequenceCount == 2 ? tokenizer.encode(a, b) : tokenizer.encode(a);
        int[][] parts =
            sequenceCount == 2 ? new int[][] {tokenIds(a), tokenIds(b)} : new int[][] {tokenIds(a)};
        int[] all = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
          all[k] = parts[k].length;
        }
        EncodedSequence spliced = layout.build(parts, all);
        if (!Arrays.equals(spliced.ids(), expected.getIds())
            || !Arrays.equals(spliced.typeIds(), expected.getTypeIds())) {
          LOG.warn(
              "tokenizer: splicing {} texts differs from the tokenizer's own encoding of {}",
              sequenceCount,
              sequenceCount == 2 ? List.of(a, b) : List.of(a));
          return null;
        }
      }
    }
    return layout;
  }

  /**
   * The {@code post_processor} type of a tokenizer.json, null for none; nested in a Sequence, the
   * first kind that is not fixed-layout (or the last one).
   */
  private static String postProcessorKind(Path tokenizerJson) {
    JsonNode processor;
    try {
      processor = new ObjectMapper().readTree(tokenizerJson.toFile()).path("post_processor");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson, e);
    }
    return kind(processor);
  }

  private static String kind(JsonNode processor) {
    if (processor.isMissingNode() || processor.isNull()) {
      return null;
    }
    String type = processor.path("type").asText("");
    if (!type.equals("Sequence")) {
      return type;
    }
    String last = null;
    for (JsonNode inner : processor.path("processors")) {
      last = kind(inner);
      if (last != null && !FIXED_LAYOUT_PROCESSORS.contains(last)) {
        return last;
      }
    }
    return last;
  }

  private static int[] narrow(long[] ids) {
    int[] narrow = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      narrow[i] = Math.toIntExact(ids[i]);
    }
    return narrow;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
