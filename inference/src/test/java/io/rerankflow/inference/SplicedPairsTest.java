package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyCrossEncoder.Head;
import io.rerankflow.testing.TinyTokenizers;
import io.rerankflow.testing.TinyTokenizers.PairProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pairs spliced from separately encoded texts are exactly Hugging Face's own pair encoding, for
 * every tokenizer family, on random, Unicode, whitespace-edge and over-length texts, under {@code
 * NONE} and {@code END}; the oracle is DJL's pair call (with Hugging Face's own truncation under
 * {@code END}), never the code under test.
 */
class SplicedPairsTest {
  private static final int[] LIMITS = {9, 24, 64, 512};

  @TempDir Path dir;

  /** The tokenizer fixtures whose pairs are spliced. */
  enum Family {
    BERT_WORD_PIECE,
    BGE_WORD_PIECE,
    XLM_R_ROBERTA_PROCESSING,
    XLM_R_TEMPLATE_PROCESSING,
    BYTE_LEVEL_BPE_TEMPLATE_PROCESSING;

    Path write(Path dir) {
      return switch (this) {
        case BERT_WORD_PIECE -> TinyTokenizers.wordPiece(dir);
        case BGE_WORD_PIECE -> DefaultModel.directory().tokenizerFile();
        case XLM_R_ROBERTA_PROCESSING -> TinyTokenizers.unigram(dir, PairProcessor.ROBERTA);
        case XLM_R_TEMPLATE_PROCESSING -> TinyTokenizers.unigram(dir, PairProcessor.TEMPLATE);
        case BYTE_LEVEL_BPE_TEMPLATE_PROCESSING -> TinyTokenizers.byteLevelBpe(dir);
      };
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void splicedPairsAreTheTokenizersOwnPairsUnderNoneAndEnd(Family family) throws Exception {
    Path file = family.write(dir);
    List<String> texts = texts(new Random(family.ordinal()));
    try (HuggingFaceTokenizer whole = reference(file, "false", 0)) {
      for (int limit : LIMITS) {
        try (TextTokenizer tokenizer = new TextTokenizer(file, limit);
            HuggingFaceTokenizer onlySecond = reference(file, "only_second", limit);
            HuggingFaceTokenizer longestFirst = reference(file, "longest_first", limit)) {
          assertThat(tokenizer.splicesPairs()).isTrue();
          for (int q = 0; q < texts.size(); q++) {
            String query = texts.get(q);
            int queryWithSpecials = whole.encode(query, "").getIds().length;
            for (int p = 0; p < texts.size(); p += 1 + (q % 3)) {
              String passage = texts.get(p);
              Encoding full = whole.encode(query, passage);
              int length = full.getIds().length;
              String pair = "pair (" + query + ", " + passage + ") at " + limit;

              if (length <= limit) {
                for (Truncate truncate : Truncate.values()) {
                  EncodedSequence row = tokenizer.encodePair(query, passage, truncate);
                  assertThat(row.ids()).as(pair).containsExactly(full.getIds());
                  assertThat(row.typeIds()).as(pair).containsExactly(full.getTypeIds());
                }
                continue;
              }
              assertThatThrownBy(() -> tokenizer.encodePair(query, passage, Truncate.NONE))
                  .as(pair)
                  .hasMessage(
                      "Input length " + length + " exceeds maximum allowed token size " + limit);
              // only_second panics natively once the query alone reaches the limit: then the
              // reference is the query cut on its own, with the pair's special tokens.
              Encoding cut =
                  queryWithSpecials < limit
                      ? onlySecond.encode(query, passage)
                      : longestFirst.encode(query, "");
              EncodedSequence row = tokenizer.encodePair(query, passage, Truncate.END);
              assertThat(row.ids()).as(pair).containsExactly(cut.getIds());
              assertThat(row.typeIds()).as(pair).containsExactly(cut.getTypeIds());
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void splicedSingleTextsAreTheTokenizersOwnUnderNoneAndEnd(Family family) throws Exception {
    Path file = family.write(dir);
    int limit = 24;
    try (TextTokenizer tokenizer = new TextTokenizer(file, limit);
        HuggingFaceTokenizer whole = reference(file, "false", 0);
        HuggingFaceTokenizer cut = reference(file, "longest_first", limit)) {
      assertThat(tokenizer.splicesSingles()).isTrue();
      for (String text : texts(new Random(7))) {
        Encoding full = whole.encode(text);
        EncodedSequence row = tokenizer.encodeSingle(text, Truncate.END);
        assertThat(row.ids()).as(text).containsExactly(cut.encode(text).getIds());
        if (full.getIds().length <= limit) {
          assertThat(tokenizer.encodeSingle(text, Truncate.NONE).ids())
              .containsExactly(full.getIds());
        } else {
          assertThatThrownBy(() -> tokenizer.encodeSingle(text, Truncate.NONE))
              .isInstanceOf(RerankException.class);
        }
      }
    }
  }

  @Test
  void llamaTemplatePromptsAreEncodedWholeAndMatchThePromptsOwnEncoding() throws Exception {
    Path file = TinyTokenizers.byteLevelBpe(dir);
    PromptTemplate template = PromptTemplate.parse(PromptTemplate.NVIDIA_RERANK);
    int limit = 40;
    List<String> texts = texts(new Random(11));
    try (CrossEncoderRequests encoder =
            new CrossEncoderRequests(new TextTokenizer(file, limit), template);
        HuggingFaceTokenizer whole = reference(file, "false", 0);
        HuggingFaceTokenizer cut = reference(file, "longest_first", limit)) {
      assertThat(encoder.splices()).isFalse();
      for (String query : texts.subList(0, 12)) {
        List<String> passages = texts.subList(12, texts.size());
        EncodedRequest encoded =
            encoder.encode(new RankingRequest("r", "m", query, passages, Truncate.END));
        for (int i = 0; i < passages.size(); i++) {
          String prompt = template.fill(query, passages.get(i)).text();
          long[] expected =
              whole.encode(prompt).getIds().length <= limit
                  ? whole.encode(prompt).getIds()
                  : cut.encode(prompt).getIds();
          assertThat(encoded.sequences().get(i).ids()).as(prompt).containsExactly(expected);
        }
      }
    }
  }

  @Test
  void aPassageIsEncodedOnceAndSharedByAllRequests() throws Exception {
    Path file = TinyTokenizers.wordPiece(dir);
    List<int[]> lookups = new ArrayList<>();
    EngineListener counting =
        new EngineListener() {
          @Override
          public void passagesLookedUp(int hits, int misses) {
            lookups.add(new int[] {hits, misses});
          }
        };
    try (CrossEncoderRequests encoder =
        new CrossEncoderRequests(new TextTokenizer(file, 64), null)) {
      List<String> passages = List.of("two roads", "a yellow wood", "two roads");
      EncodedRequest first =
          encoder.encode(
              new RankingRequest("a", "m", "which way", passages, Truncate.END), counting);
      EncodedRequest second =
          encoder.encode(
              new RankingRequest("b", "m", "go", List.of("a yellow wood"), Truncate.END), counting);

      // "two roads" twice in one request: encoded once, found the second time.
      assertThat(lookups.get(0)).containsExactly(1, 2);
      assertThat(lookups.get(1)).containsExactly(1, 0);
      assertThat(first.sequences().get(0).ids()).containsExactly(first.sequences().get(2).ids());
      try (TextTokenizer wholePairs = TextTokenizer.wholeText(file, 64)) {
        assertThat(second.sequences().get(0).ids())
            .containsExactly(wholePairs.encodePair("go", "a yellow wood", Truncate.END).ids());
      }
    }
  }

  @Test
  void cacheIsBoundedInBytes() {
    PassageCache cache = new PassageCache(10_000);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      texts.add("passage number " + i);
    }
    cache.lookup(texts, text -> new int[20]);

    assertThat(cache.weightedBytes()).isPositive().isLessThanOrEqualTo(10_000);
  }

  /** fp32 logits of spliced rows are bit for bit those of whole-pair rows, for every family. */
  @ParameterizedTest
  @EnumSource(
      value = Family.class,
      names = {"BERT_WORD_PIECE", "XLM_R_ROBERTA_PROCESSING", "XLM_R_TEMPLATE_PROCESSING"})
  void splicedRowsScoreBitIdenticallyToWholePairs(Family family) throws Exception {
    boolean bert = family == Family.BERT_WORD_PIECE;
    TinyCrossEncoder tiny =
        TinyCrossEncoder.builder()
            .vocabSize(bert ? TinyTokenizers.vocabSize() : TinyTokenizers.UNIGRAM_VOCAB.size())
            .tokenTypes(bert)
            .head(Head.TWO)
            .build();
    Path model =
        TestModelDirs.directory(
            dir,
            tiny,
            family::write,
            "{\"name\": \"m\", \"family\": \"" + (bert ? "bert" : "xlm-roberta") + "\"}");
    Files.writeString(
        model.resolve("rerank.json"),
        "{\"name\": \"m\", \"family\": \""
            + (bert ? "bert" : "xlm-roberta")
            + "\", \"max_length\": 24}");
    ModelDirectory directory = ModelDirectory.open(model);
    List<String> texts = texts(new Random(3));
    RankingRequest request =
        new RankingRequest("r", "m", texts.get(1), texts.subList(2, 30), Truncate.END);
    try (LoadedModel spliced = LoadedModel.load(directory, new SessionSettings(Device.CPU, 1));
        CrossEncoderRequests whole =
            new CrossEncoderRequests(
                TextTokenizer.wholeText(directory.tokenizerFile(), 24), null)) {
      assertThat(((CrossEncoderRequests) spliced.encoder()).splices()).isTrue();
      float[] splicedLogits =
          spliced
              .encoder()
              .logits(spliced.model().forward(spliced.encoder().encode(request).sequences()));
      float[] wholeLogits =
          whole.logits(spliced.model().forward(whole.encode(request).sequences()));

      assertThat(splicedLogits).containsExactly(wholeLogits);
      for (int i = 0; i < splicedLogits.length; i++) {
        assertThat(Float.floatToRawIntBits(splicedLogits[i]))
            .isEqualTo(Float.floatToRawIntBits(wholeLogits[i]));
      }
    }
  }

  /**
   * Random word texts, Unicode (accents, combining marks, CJK, emoji, right-to-left, zero-width and
   * non-breaking spaces), whitespace edges (empty, only spaces, leading and trailing tabs and
   * newlines) and texts far over every limit.
   */
  static List<String> texts(Random random) {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "",
                " ",
                "   ",
                "\t\n",
                "  two roads  ",
                "\r\nwhich way\r\n",
                "which\u00a0way",
                "Two Roads Diverged",
                "naïve café Señor",
                "e\u0301te\u0301",
                "東京 is 大きい",
                "😀 way 😀😀",
                "مرحبا which",
                "zero\u200bwidth\u200djoin",
                "a-b_c.d,e!?",
                "[CLS] [SEP] <s> </s> <|begin_of_text|>"));
    String[] words = TinyTokenizers.WORDS.toArray(String[]::new);
    for (int i = 0; i < 14; i++) {
      int n = 1 + random.nextInt(i < 10 ? 12 : 300);
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < n; w++) {
        if (w > 0) {
          text.append(random.nextInt(8) == 0 ? "  " : " ");
        }
        String word = words[random.nextInt(words.length)];
        text.append(random.nextInt(5) == 0 ? word.toUpperCase() : word);
        if (random.nextInt(6) == 0) {
          text.append(",.;:?!".charAt(random.nextInt(6)));
        }
      }
      texts.add(text.toString());
    }
    return texts;
  }

  private static HuggingFaceTokenizer reference(Path file, String truncation, int maxLength)
      throws Exception {
    if (truncation.equals("false")) {
      return HuggingFaceTokenizer.newInstance(
          file, Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"));
    }
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
}
