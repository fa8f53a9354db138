package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.OnnxProtoWriter;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyBiEncoder;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyCrossEncoder.Head;
import io.rerankflow.testing.TinyTokenizers;
import io.rerankflow.testing.TinyTokenizers.PairProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every model family end to end through {@link LoadedModel}: a model directory as users write it,
 * the exact rows the encoder builds, and logits equal to the tiny model's plain-Java oracle run on
 * each row alone (so padding, padding side and position ids must all be right).
 */
class ModelFamiliesTest {
  private static final SessionSettings CPU = new SessionSettings(Device.CPU, 1);
  private static final String QUERY = "which way should i go?";
  private static final List<String> PASSAGES =
      List.of("two roads", "two roads diverged in a yellow wood", "a wood");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Head.class)
  void bertCrossEncoderScoresLikeItsOracle(Head head) throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().head(head).build();
    Path model = TestModelDirs.crossEncoder(dir, "minilm", tiny, 64);

    try (LoadedModel loaded = LoadedModel.load(ModelDirectory.open(model), CPU)) {
      assertThat(loaded.spec().family()).isEqualTo(ModelFamily.BERT);
      Scored scored = score(loaded, Truncate.NONE);

      assertThat(scored.rows().get(0).ids())
          .containsExactly(wordPiece("[CLS] which way should i go ? [SEP] two roads [SEP]"));
      for (int i = 0; i < PASSAGES.size(); i++) {
        EncodedSequence row = scored.rows().get(i);
        float[] out = tiny.expectedOutputs(one(row.ids()), ones(row), one(row.typeIds()))[0];
        assertThat(scored.logits()[i]).isCloseTo(logit(out, head), within(1e-5f));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(PairProcessor.class)
  void xlmRobertaCrossEncoderReadsItsExportAndFeedsNoTokenTypes(PairProcessor processor)
      throws Exception {
    TinyCrossEncoder tiny =
        TinyCrossEncoder.builder()
            .vocabSize(TinyTokenizers.UNIGRAM_VOCAB.size())
            .tokenTypes(false)
            .head(Head.TWO)
            .build();
    Path model =
        TestModelDirs.directory(
            dir, tiny, d -> TinyTokenizers.unigram(d, processor), "{\"name\": \"bge-m3\"}");
    write(model, "config.json", "{\"model_type\": \"xlm-roberta\"}");
    write(
        model,
        "tokenizer_config.json",
        "{\"pad_token\": \"<pad>\", \"eos_token\": \"</s>\", \"model_max_length\": 8192}");

    try (LoadedModel loaded = LoadedModel.load(ModelDirectory.open(model), CPU)) {
      ModelSpec spec = loaded.spec();
      assertThat(spec.family()).isEqualTo(ModelFamily.XLM_ROBERTA);
      assertThat(spec.padTokenId()).isEqualTo(TinyTokenizers.unigramId("<pad>")).isEqualTo(1);
      assertThat(spec.maxLength()).isEqualTo(8192);
      assertThat(spec.paddingSide()).isEqualTo(PaddingSide.RIGHT);
      assertThat(spec.template()).isNull();
      Scored scored = score(loaded, Truncate.NONE);

      assertThat(scored.rows().get(0).ids())
          .containsExactly(unigram("<s> ▁which ▁way ▁should ▁i ▁go ? </s> </s> ▁two ▁roads </s>"));
      for (int i = 0; i < PASSAGES.size(); i++) {
        EncodedSequence row = scored.rows().get(i);
        float[] out = tiny.expectedOutputs(one(row.ids()), ones(row), null)[0];
        assertThat(scored.logits()[i]).isCloseTo(out[1] - out[0], within(1e-5f));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"SCALAR,1", "ONE,1", "ONE,10", "TWO,10"})
  void llamaBidirectionalRerankerScoresTemplatePromptsLeftPadded(Head head, int outputType)
      throws Exception {
    TinyCrossEncoder tiny = llama(head, outputType);
    Path model = llamaDirectory(tiny, "{\"name\": \"nemotron\"}");

    try (LoadedModel loaded = LoadedModel.load(ModelDirectory.open(model), CPU)) {
      ModelSpec spec = loaded.spec();
      assertThat(spec.family()).isEqualTo(ModelFamily.LLAMA_BIDIRECTIONAL);
      assertThat(spec.template().source()).isEqualTo(PromptTemplate.NVIDIA_RERANK);
      assertThat(spec.paddingSide()).isEqualTo(PaddingSide.LEFT);
      assertThat(spec.padTokenId()).isEqualTo(TinyTokenizers.bpeId("<|end_of_text|>"));
      assertThat(spec.maxLength()).isEqualTo(8192);
      Scored scored = score(loaded, Truncate.NONE);

      assertThat(scored.rows().get(0).ids())
          .containsExactly(
              TextTokenizerTest.bpe(
                  "<|begin_of_text|> question : which Ġway Ġshould Ġi Ġgo ? Ġ Ċ Ġ Ċ Ġpassage :"
                      + " two Ġroads"));
      float tolerance = outputType == OnnxProtoWriter.FLOAT ? 1e-5f : 1e-2f;
      for (int i = 0; i < PASSAGES.size(); i++) {
        // Alone, unpadded, positions 0..n-1: what a padded row must score too.
        EncodedSequence row = scored.rows().get(i);
        long[][] positions = {LongStream.range(0, row.length()).toArray()};
        float[] out = tiny.expectedOutputs(one(row.ids()), ones(row), null, positions)[0];
        assertThat(scored.logits()[i]).isCloseTo(logit(out, head), within(tolerance));
      }
    }
  }

  @Test
  void llamaTruncationCutsThePassageToTheLimitOrReportsTheFullLength() throws Exception {
    Path model = llamaDirectory(llama(Head.SCALAR, 1), "{\"name\": \"n\", \"max_length\": 18}");

    try (LoadedModel loaded = LoadedModel.load(ModelDirectory.open(model), CPU)) {
      Scored scored = score(loaded, Truncate.END);
      assertThat(scored.rows().stream().map(EncodedSequence::length)).containsExactly(17, 18, 17);
      assertThat(scored.promptTokens()).isEqualTo(17 + 18 + 17);

      RankingRequest tooLong =
          new RankingRequest("r", "n", QUERY, PASSAGES.subList(1, 2), Truncate.NONE);
      assertThatThrownBy(() -> loaded.encoder().encode(tooLong))
          .isInstanceOf(RerankException.class)
          .hasMessage("Input length 22 exceeds maximum allowed token size 18");
    }
  }

  @Test
  void rerankJsonOverridesWhatTheExportSays() throws Exception {
    Path model =
        llamaDirectory(
            llama(Head.SCALAR, 1),
            "{\"name\": \"n\", \"template\": \"query: {query} doc: {passage}\","
                + " \"padding_side\": \"right\", \"pad_token_id\": 0, \"max_length\": 4096}");
    write(model, "tokenizer_config.json", "{\"padding_side\": \"left\", \"model_max_length\": 9}");

    ModelSpec spec = ModelDirectory.open(model).spec();

    assertThat(spec.template().source()).isEqualTo("query: {query} doc: {passage}");
    assertThat(spec.paddingSide()).isEqualTo(PaddingSide.RIGHT);
    assertThat(spec.padTokenId()).isZero();
    assertThat(spec.maxLength()).isEqualTo(4096);
  }

  @Test
  void xlmRobertaExportWithTokenTypeIdsFailsAtLoad() {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().tokenTypes(true).build();
    Path model =
        TestModelDirs.directory(
            dir, tiny, TinyTokenizers::wordPiece, "{\"name\": \"x\", \"family\": \"xlm-roberta\"}");

    assertThatThrownBy(() -> LoadedModel.load(ModelDirectory.open(model), CPU))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input 'token_type_ids' is not one a xlm-roberta model takes")
        .hasMessageContaining(
            "A xlm-roberta export takes input_ids, attention_mask (int64 [batch, seq]); it"
                + " declares [attention_mask, input_ids, token_type_ids]");
  }

  @Test
  void bertExportWithPositionIdsFailsAtLoad() {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().positions(8).build();
    Path model = TestModelDirs.directory(dir, tiny, TinyTokenizers::wordPiece, "{\"name\": \"b\"}");

    assertThatThrownBy(() -> LoadedModel.load(ModelDirectory.open(model), CPU))
        .hasMessageContaining("input 'position_ids' is not one a bert model takes")
        .hasMessageContaining("takes input_ids, attention_mask and optionally token_type_ids");
  }

  @Test
  void outputOfAnUnexpectedShapeFailsAtLoad() throws IOException {
    Path model = TestModelDirs.crossEncoder(dir, "x", TinyCrossEncoder.builder().build(), 16);
    TinyBiEncoder.builder().build().write(model.resolve("model.onnx"));

    assertThatThrownBy(() -> LoadedModel.load(ModelDirectory.open(model), CPU))
        .hasMessageContaining("output 'last_hidden_state' has shape [-1, -1, 8]")
        .hasMessageContaining("a cross-encoder needs [batch], [batch,1] or [batch,2]");
  }

  @Test
  void integerOutputFailsAtLoad() {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().outputType(OnnxProtoWriter.INT32).build();
    Path model = TestModelDirs.crossEncoder(dir, "x", tiny, 16);

    assertThatThrownBy(() -> LoadedModel.load(ModelDirectory.open(model), CPU))
        .hasMessageContaining("output 'logits' is")
        .hasMessageContaining("expected a float32, float16 or bfloat16 tensor");
  }

  @Test
  void missingFileFailsNamingIt() throws IOException {
    Path model = TestModelDirs.crossEncoder(dir, "x", TinyCrossEncoder.builder().build(), 16);
    Files.delete(model.resolve("tokenizer.json"));

    assertThatThrownBy(() -> ModelDirectory.open(model))
        .hasMessageContaining("lacks tokenizer.json")
        .hasMessageContaining(
            "expected an ONNX export with model.onnx or onnx/model.onnx, and tokenizer.json");
  }

  @Test
  void unknownFamilyFailsListingTheKnownOnes() {
    Path model =
        TestModelDirs.directory(
            dir,
            TinyCrossEncoder.builder().build(),
            TinyTokenizers::wordPiece,
            "{\"name\": \"x\", \"family\": \"gpt2\"}");

    assertThatThrownBy(() -> ModelDirectory.open(model))
        .hasMessageContaining(
            "family: unknown value 'gpt2', expected one of bert, xlm-roberta, llama-bidirectional");
  }

  @Test
  void unknownModelTypeInConfigJsonAsksForAFamily() throws IOException {
    Path model = TestModelDirs.crossEncoder(dir, "x", TinyCrossEncoder.builder().build(), 16);
    write(model, "config.json", "{\"model_type\": \"t5\", \"architectures\": [\"T5Model\"]}");

    assertThatThrownBy(() -> ModelDirectory.open(model))
        .hasMessageContaining("has model_type 't5'")
        .hasMessageContaining("set \"family\" in rerank.json");
  }

  private static TinyCrossEncoder llama(Head head, int outputType) {
    return TinyCrossEncoder.builder()
        .vocabSize(TinyTokenizers.BPE_VOCAB.size())
        .tokenTypes(false)
        .positions(64)
        .head(head)
        .outputType(outputType)
        .build();
  }

  private Path llamaDirectory(TinyCrossEncoder tiny, String rerankJson) throws IOException {
    Path model = TestModelDirs.directory(dir, tiny, TinyTokenizers::byteLevelBpe, rerankJson);
    write(
        model,
        "config.json",
        "{\"model_type\": \"llama_bidirec\","
            + " \"architectures\": [\"LlamaBidirectionalForSequenceClassification\"],"
            + " \"eos_token_id\": ["
            + TinyTokenizers.bpeId("<|end_of_text|>")
            + "]}");
    return model;
  }

  private static Scored score(LoadedModel loaded, Truncate truncate) throws Exception {
    RankingRequest request =
        new RankingRequest("r", loaded.spec().name(), QUERY, PASSAGES, truncate);
    EncodedRequest encoded = loaded.encoder().encode(request);
    float[] logits = loaded.encoder().logits(loaded.model().forward(encoded.sequences()));
    return new Scored(encoded.sequences(), logits, encoded.promptTokens());
  }

  private static float logit(float[] out, Head head) {
    return head == Head.TWO ? out[1] - out[0] : out[0];
  }

  private static long[][] one(long[] row) {
    return new long[][] {row};
  }

  private static long[][] ones(EncodedSequence row) {
    long[] mask = new long[row.length()];
    Arrays.fill(mask, 1L);
    return one(mask);
  }

  private static void write(Path dir, String file, String content) throws IOException {
    Files.writeString(dir.resolve(file), content);
  }

  private static long[] wordPiece(String tokens) {
    return Arrays.stream(tokens.split(" ")).mapToLong(TinyTokenizers::id).toArray();
  }

  private static long[] unigram(String tokens) {
    return Arrays.stream(tokens.split(" ")).mapToLong(TinyTokenizers::unigramId).toArray();
  }

  private record Scored(List<EncodedSequence> rows, float[] logits, int promptTokens) {}
}
