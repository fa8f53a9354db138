package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.TinyTokenizers;
import io.rerankflow.testing.TinyTokenizers.PairProcessor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NIM's truncation rules on every row shape (tokenizer pairs of WordPiece and SentencePiece
 * tokenizers, byte-level BPE templates), checked against Hugging Face's own truncation as the
 * reference.
 */
class TextTokenizerTest {
  private static final String QUERY = "which way should i go?";
  private static final String PASSAGE = "two roads diverged in a yellow wood";
  private static final PromptTemplate NVIDIA = PromptTemplate.parse(PromptTemplate.NVIDIA_RERANK);

  @TempDir Path dir;

  @Test
  void bertPairIsClsQuerySepPassageSepWithTypes() throws RerankException {
    try (TextTokenizer tokenizer = new TextTokenizer(TinyTokenizers.wordPiece(dir), 64)) {
      EncodedSequence row = tokenizer.encodePair(QUERY, "two roads", Truncate.NONE);

      assertThat(row.ids())
          .containsExactly(wordPiece("[CLS] which way should i go ? [SEP] two roads [SEP]"));
      assertThat(row.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1);
    }
  }

  @Test
  void pairExactlyAtTheLimitIsKeptUnderNone() throws RerankException {
    try (TextTokenizer tokenizer = new TextTokenizer(TinyTokenizers.wordPiece(dir), 11)) {
      EncodedSequence row = tokenizer.encodePair(QUERY, "two roads", Truncate.NONE);

      assertThat(row.length()).isEqualTo(11);
    }
  }

  @Test
  void pairOverTheLimitUnderNoneIsA422NamingTheFullLength() {
    try (TextTokenizer tokenizer = new TextTokenizer(TinyTokenizers.wordPiece(dir), 10)) {
      assertThatThrownBy(() -> tokenizer.encodePair(QUERY, "two roads", Truncate.NONE))
          .isInstanceOf(RerankException.class)
          .hasMessage("Input length 11 exceeds maximum allowed token size 10")
          .satisfies(
              e ->
                  assertThat(((RerankException) e).failure().kind())
                      .isEqualTo(ErrorKind.INPUT_TOO_LONG));
    }
  }

  @ParameterizedTest
  @CsvSource({"WORD_PIECE,10", "WORD_PIECE,12", "WORD_PIECE,15", "ROBERTA,11", "TEMPLATE,13"})
  void truncateEndDropsPassageTailFirst(String tokenizerKind, int maxLength) throws Exception {
    Path file = tokenizerFile(tokenizerKind);
    try (TextTokenizer tokenizer = new TextTokenizer(file, maxLength);
        HuggingFaceTokenizer reference = reference(file, "only_second", maxLength)) {
      EncodedSequence row = tokenizer.encodePair(QUERY, PASSAGE, Truncate.END);

      assertThat(row.length()).isEqualTo(maxLength);
      assertThat(row.ids()).containsExactly(reference.encode(QUERY, PASSAGE).getIds());
      assertThat(row.typeIds()).containsExactly(reference.encode(QUERY, PASSAGE).getTypeIds());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"WORD_PIECE", "ROBERTA", "TEMPLATE"})
  void truncateEndCutsTheQueryWhenItAloneFillsTheLimit(String tokenizerKind) throws Exception {
    Path file = tokenizerFile(tokenizerKind);
    // Hugging Face's only_second panics natively here; the reference is the query with no passage.
    try (TextTokenizer tokenizer = new TextTokenizer(file, 5);
        HuggingFaceTokenizer reference = reference(file, "longest_first", 5)) {
      EncodedSequence row = tokenizer.encodePair(QUERY, PASSAGE, Truncate.END);

      assertThat(row.ids()).containsExactly(reference.encode(QUERY, "").getIds());
      assertThat(row.length()).isEqualTo(5);
    }
  }

  @Test
  void xlmRobertaPairHasDoubleSeparatorAndOneTokenType() throws RerankException {
    Path file = TinyTokenizers.unigram(dir, PairProcessor.ROBERTA);
    try (TextTokenizer tokenizer = new TextTokenizer(file, 64)) {
      EncodedSequence row = tokenizer.encodePair("which way", "two roads", Truncate.NONE);

      assertThat(row.ids()).containsExactly(unigram("<s> ▁which ▁way </s> </s> ▁two ▁roads </s>"));
      assertThat(row.typeIds()).containsOnly(0L);
    }
  }

  @Test
  void nvidiaTemplateIsOneTextAfterBeginOfText() throws RerankException {
    try (TextTokenizer tokenizer = new TextTokenizer(TinyTokenizers.byteLevelBpe(dir), 64)) {
      EncodedSequence row = tokenizer.encodePrompt(NVIDIA.fill(QUERY, "two roads"), Truncate.NONE);

      assertThat(row.ids())
          .containsExactly(
              bpe(
                  "<|begin_of_text|> question : which Ġway Ġshould Ġi Ġgo ? Ġ Ċ Ġ Ċ Ġpassage :"
                      + " two Ġroads"));
    }
  }

  @Test
  void templateOverTheLimitUnderNoneIsA422NamingTheFullPromptLength() {
    try (TextTokenizer tokenizer = new TextTokenizer(TinyTokenizers.byteLevelBpe(dir), 16)) {
      // <|begin_of_text|>, 14 template and query tokens, "two Ġroads"
      assertThatThrownBy(
              () -> tokenizer.encodePrompt(NVIDIA.fill(QUERY, "two roads"), Truncate.NONE))
          .hasMessage("Input length 17 exceeds maximum allowed token size 16");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {22, 18, 16, 12, 3})
  void templateTruncationMatchesTruncatingTheWholePromptLikeTheReference(int maxLength)
      throws Exception {
    Path file = TinyTokenizers.byteLevelBpe(dir);
    PromptTemplate.Prompt prompt = NVIDIA.fill(QUERY, PASSAGE);
    try (TextTokenizer tokenizer = new TextTokenizer(file, maxLength);
        HuggingFaceTokenizer reference = reference(file, "longest_first", maxLength)) {
      EncodedSequence row = tokenizer.encodePrompt(prompt, Truncate.END);

      // NVIDIA's reference: tokenizer(prompt, truncation=True, max_length=...) cuts the end.
      assertThat(row.ids()).containsExactly(reference.encode(prompt.text()).getIds());
      assertThat(row.length()).isEqualTo(maxLength);
    }
  }

  @Test
  void templateTextAfterThePassageSurvivesTruncation() throws Exception {
    PromptTemplate template = PromptTemplate.parse("{query} \n{passage} \nwhich way");
    try (TextTokenizer full = new TextTokenizer(TinyTokenizers.byteLevelBpe(dir), 64);
        TextTokenizer cut = new TextTokenizer(TinyTokenizers.byteLevelBpe(dir), 12)) {
      long[] whole = full.encodePrompt(template.fill("a", PASSAGE), Truncate.NONE).ids();
      EncodedSequence row = cut.encodePrompt(template.fill("a", PASSAGE), Truncate.END);

      assertThat(row.length()).isEqualTo(12);
      // Kept: the head and the first passage tokens; dropped: the passage's tail; kept: the tail.
      long[] tail = Arrays.copyOfRange(whole, whole.length - 4, whole.length);
      assertThat(tail).containsExactly(bpe("Ġ Ċ which Ġway"));
      assertThat(Arrays.copyOfRange(row.ids(), 8, 12)).containsExactly(tail);
      assertThat(Arrays.copyOfRange(row.ids(), 0, 8)).containsExactly(Arrays.copyOf(whole, 8));
    }
  }

  @Test
  void passageBoundaryCountsCodePointsNotUtf16Units() throws Exception {
    Path file = TinyTokenizers.byteLevelBpe(dir);
    // Each emoji is two UTF-16 units but one code point (four byte tokens).
    PromptTemplate.Prompt prompt = NVIDIA.fill("😀😀😀 which", PASSAGE);
    try (TextTokenizer tokenizer = new TextTokenizer(file, 30);
        HuggingFaceTokenizer reference = reference(file, "longest_first", 30)) {
      EncodedSequence row = tokenizer.encodePrompt(prompt, Truncate.END);

      assertThat(row.ids()).containsExactly(reference.encode(prompt.text()).getIds());
    }
  }

  @Test
  void singleTextIsCutFromTheRightKeepingSpecialTokens() throws Exception {
    Path file = TinyTokenizers.wordPiece(dir);
    try (TextTokenizer tokenizer = new TextTokenizer(file, 4)) {
      EncodedSequence row = tokenizer.encodeSingle(PASSAGE, Truncate.END);

      assertThat(row.ids()).containsExactly(wordPiece("[CLS] two roads [SEP]"));
      assertThatThrownBy(() -> tokenizer.encodeSingle(PASSAGE, Truncate.NONE))
          .hasMessage("Input length 9 exceeds maximum allowed token size 4");
    }
  }

  private Path tokenizerFile(String kind) {
    return switch (kind) {
      case "WORD_PIECE" -> TinyTokenizers.wordPiece(dir);
      case "ROBERTA" -> TinyTokenizers.unigram(dir, PairProcessor.ROBERTA);
      case "TEMPLATE" -> TinyTokenizers.unigram(dir, PairProcessor.TEMPLATE);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static HuggingFaceTokenizer reference(Path file, String truncation, int maxLength)
      throws Exception {
    String limit = Integer.toString(maxLength);
    return HuggingFaceTokenizer.newInstance(
        file,
        Map.of(
            "padding", "false",
            "truncation", truncation,
            "maxLength", limit,
            "modelMaxLength", limit,
            "addSpecialTokens", "true"));
  }

  private static long[] wordPiece(String tokens) {
    return ids(tokens, TinyTokenizers::id);
  }

  private static long[] unigram(String tokens) {
    return ids(tokens, TinyTokenizers::unigramId);
  }

  static long[] bpe(String tokens) {
    return ids(tokens, TinyTokenizers::bpeId);
  }

  private static long[] ids(String tokens, Function<String, Long> id) {
    return Arrays.stream(tokens.split(" ")).mapToLong(id::apply).toArray();
  }
}
