package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.HuggingFaceLayouts;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyCrossEncoder.Head;
import io.rerankflow.testing.TinyTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models as Hugging Face tools leave them load by path as they are, and score like the tiny model's
 * plain-Java oracle run on the Hugging Face token ids of each pair alone.
 */
class ExportLayoutsTest {
  private static final SessionSettings CPU = new SessionSettings(Device.CPU, 1);
  private static final String QUERY = "which way should i go?";
  private static final List<String> PASSAGES =
      List.of("two roads", "two roads diverged in a yellow wood", "a wood");
  private static final String BERT_CONFIG =
      "{\"architectures\": [\"BertForSequenceClassification\"], \"model_type\": \"bert\"}";

  @TempDir Path dir;

  @Test
  void optimumTextClassificationExportIsServedUnderItsDirectoryName() throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().head(Head.ONE).build();
    Path export =
        HuggingFaceLayouts.optimumExport(
            dir.resolve("ms-marco-tiny"), tiny, "{\"0\": \"LABEL_0\"}");

    ModelDirectory model = ModelLocator.resolve(export.toString());

    assertThat(model.spec().name()).isEqualTo("ms-marco-tiny");
    assertThat(model.spec().aliases()).isEmpty();
    assertThat(model.spec().family()).isEqualTo(ModelFamily.BERT);
    assertThat(model.spec().maxLength()).isEqualTo(512);
    assertThat(model.onnxFile()).isEqualTo(export.resolve("model.onnx"));
    assertScoresLikeTheOracle(model, tiny, 1);
    assertThat(ModelLocator.resolve("minilm=" + export).spec().name()).isEqualTo("minilm");
  }

  @Test
  void configWithoutModelTypeIsBert() throws IOException {
    Path export =
        HuggingFaceLayouts.optimumExport(
            dir.resolve("old"), TinyCrossEncoder.builder().build(), "{\"0\": \"LABEL_0\"}");
    Files.writeString(export.resolve("config.json"), "{\"hidden_size\": 8}");

    assertThat(ModelDirectory.open(export).spec().family()).isEqualTo(ModelFamily.BERT);
  }

  @ParameterizedTest
  @CsvSource({
    "LABEL_0, LABEL_1, 1",
    "irrelevant, relevant, 1",
    "relevant, irrelevant, 0",
    "Relevant, not relevant, 0",
    "entailment, not_entailment, 0",
    "contradiction, entailment, 1",
    "LABEL_1, LABEL_0, 0",
    "no, yes, 1",
    "negative, other, 1",
    "other, negative, 0",
    "cat, dog, 1",
    "relevant, positive, 1"
  })
  void id2labelNamesThePositiveClassOfATwoClassHead(String zero, String one, int positive)
      throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().head(Head.TWO).build();
    Path export =
        HuggingFaceLayouts.optimumExport(
            dir.resolve("two"), tiny, "{\"0\": \"" + zero + "\", \"1\": \"" + one + "\"}");

    ModelDirectory model = ModelDirectory.open(export);

    assertThat(model.positiveClass()).isEqualTo(positive);
    assertScoresLikeTheOracle(model, tiny, positive);
  }

  @Test
  void hubLayoutLoadsOnnxModelOnnxByDefaultAndAnotherFileOnRequest() throws Exception {
    TinyCrossEncoder fp32 = TinyCrossEncoder.builder().seed(7).build();
    TinyCrossEncoder other = TinyCrossEncoder.builder().seed(8).head(Head.TWO).build();
    Path repo =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("bge-reranker-tiny"),
            List.of("onnx/model.onnx", "onnx/model_qint8_avx512.onnx"),
            List.of(fp32, other),
            BERT_CONFIG);

    ModelDirectory byDefault = ModelLocator.resolve(repo.toString());
    assertThat(byDefault.onnxFile()).isEqualTo(repo.resolve("onnx/model.onnx"));
    assertThat(byDefault.spec().name()).isEqualTo("bge-reranker-tiny");
    assertScoresLikeTheOracle(byDefault, fp32, 1);

    String chosen =
        ModelLocator.withOnnxFile(List.of(repo.toString()), "onnx/model_qint8_avx512.onnx").get(0);
    assertThat(chosen).isEqualTo(repo + "#onnx/model_qint8_avx512.onnx");
    ModelDirectory quantised = ModelLocator.resolve(chosen);
    assertThat(quantised.onnxFile()).isEqualTo(repo.resolve("onnx/model_qint8_avx512.onnx"));
    assertScoresLikeTheOracle(quantised, other, 1);

    Files.writeString(
        repo.resolve("rerank.json"),
        "{\"name\": \"tiny\", \"onnx_file\": \"onnx/model_qint8_avx512.onnx\"}");
    ModelDirectory configured = ModelLocator.resolve(repo.toString());
    assertThat(configured.spec().name()).isEqualTo("tiny");
    assertThat(configured.onnxFile()).isEqualTo(repo.resolve("onnx/model_qint8_avx512.onnx"));
  }

  @Test
  void anAbsentOnnxFileIsNamedWithTheFilesThatAreThere() {
    Path repo =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("repo"),
            List.of("onnx/model_quantized.onnx", "onnx/model_O4.onnx"),
            List.of(TinyCrossEncoder.builder().build(), TinyCrossEncoder.builder().build()),
            BERT_CONFIG);

    assertThatThrownBy(() -> ModelLocator.resolve(repo.toString()))
        .hasMessageContaining("lacks model.onnx (nor onnx/model.onnx)")
        .hasMessageContaining(
            "ONNX files there: onnx/model_O4.onnx, onnx/model_quantized.onnx (choose one with"
                + " --onnx-file)");
    assertThatThrownBy(() -> ModelLocator.resolve(repo + "#onnx/model_fp16.onnx"))
        .hasMessageContaining("has no ONNX file onnx/model_fp16.onnx");
    assertThatThrownBy(() -> ModelLocator.resolve(repo + "#../elsewhere.onnx"))
        .hasMessageContaining("must be a path inside the model directory");
  }

  @Test
  void sentenceBertMaxSeqLengthIsTheTokenLimit() throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().build();
    Path export = HuggingFaceLayouts.optimumExport(dir.resolve("st"), tiny, "{\"0\": \"LABEL_0\"}");
    Files.writeString(export.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 12}");

    ModelDirectory model = ModelDirectory.open(export);

    assertThat(model.spec().maxLength()).isEqualTo(12);
    try (LoadedModel loaded = LoadedModel.load(model, CPU)) {
      EncodedRequest encoded =
          loaded.encoder().encode(new RankingRequest("r", "st", QUERY, PASSAGES, Truncate.END));
      assertThat(encoded.sequences()).allSatisfy(row -> assertThat(row.length()).isLessThan(13));
      assertThat(encoded.sequences().get(1).length()).isEqualTo(12);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"model.onnx_data", "model.onnx.data"})
  void externalWeightsNextToTheChosenFileAreRead(String dataFile) throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().externalData(dataFile).build();
    Path repo =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("large"), List.of("onnx/model.onnx"), List.of(tiny), BERT_CONFIG);
    Path weights = repo.resolve("onnx").resolve(dataFile);
    assertThat(weights).isRegularFile();
    assertThat(Files.size(repo.resolve("onnx/model.onnx"))).isLessThan(Files.size(weights));

    assertScoresLikeTheOracle(ModelLocator.resolve(repo.toString()), tiny, 1);
  }

  @Test
  void missingExternalWeightsFailAtLoadNamingTheModel() throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().externalData("model.onnx_data").build();
    Path repo =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("partial"), List.of("onnx/model.onnx"), List.of(tiny), BERT_CONFIG);
    Files.delete(repo.resolve("onnx/model.onnx_data"));
    ModelDirectory model = ModelLocator.resolve(repo.toString());

    assertThatThrownBy(() -> LoadedModel.load(model, CPU))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot load " + repo.resolve("onnx/model.onnx"))
        .hasMessageContaining("model.onnx_data");
  }

  @Test
  void hfCacheEntryResolvesItsRefToTheSnapshotAndIsServedUnderTheRepoName() throws Exception {
    TinyCrossEncoder tiny = TinyCrossEncoder.builder().externalData("model.onnx_data").build();
    Path source =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("download"), List.of("onnx/model.onnx"), List.of(tiny), BERT_CONFIG);
    Path hub = dir.resolve("hub");
    String commit = "0123456789abcdef0123456789abcdef01234567";
    Path snapshot = HuggingFaceLayouts.cacheEntry(hub, "org/tiny-reranker", "main", commit, source);
    assertThat(Files.isSymbolicLink(snapshot.resolve("onnx/model.onnx"))).isTrue();
    HuggingFaceCache cache = new HuggingFaceCache(hub, "HF_HUB_CACHE");

    ModelDirectory model = cache.open("hf:org/tiny-reranker", null);

    assertThat(model.root()).isEqualTo(snapshot);
    assertThat(model.spec().name()).isEqualTo("org/tiny-reranker");
    assertScoresLikeTheOracle(model, tiny, 1);
    assertThat(cache.open("hf:org/tiny-reranker@" + commit, null).root()).isEqualTo(snapshot);
    assertThat(cache.open("hf:org/tiny-reranker@main", "onnx/model.onnx").onnxFile())
        .isEqualTo(snapshot.resolve("onnx/model.onnx"));
  }

  @Test
  void anUncachedModelSaysHowToDownloadIt() {
    HuggingFaceCache cache = new HuggingFaceCache(dir.resolve("hub"), "HF_HOME/hub");

    assertThatThrownBy(() -> cache.open("hf:BAAI/bge-reranker-base", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hf:BAAI/bge-reranker-base is not in the Hugging Face cache")
        .hasMessageContaining(dir.resolve("hub/models--BAAI--bge-reranker-base").toString())
        .hasMessageContaining("the cache is HF_HOME/hub")
        .hasMessageContaining("huggingface-cli download BAAI/bge-reranker-base");
  }

  @Test
  void anUncachedRevisionListsWhatIsCached() {
    Path source =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("download"),
            List.of("model.onnx"),
            List.of(TinyCrossEncoder.builder().build()),
            BERT_CONFIG);
    Path hub = dir.resolve("hub");
    HuggingFaceLayouts.cacheEntry(hub, "org/m", "main", "aaaa", source);

    assertThatThrownBy(() -> new HuggingFaceCache(hub, "HF_HUB_CACHE").open("hf:org/m@v2", null))
        .hasMessageContaining("hf:org/m@v2 is not in the Hugging Face cache")
        .hasMessageContaining("cached refs: main, snapshots: aaaa")
        .hasMessageContaining("huggingface-cli download org/m --revision v2");
  }

  @Test
  void theCacheIsFoundAsHuggingFaceHubFindsIt() {
    assertThat(cacheOf(Map.of("HF_HUB_CACHE", "/a", "HF_HOME", "/b"))).isEqualTo(Path.of("/a"));
    assertThat(cacheOf(Map.of("HF_HOME", "/b", "XDG_CACHE_HOME", "/c")))
        .isEqualTo(Path.of("/b/hub"));
    assertThat(cacheOf(Map.of("XDG_CACHE_HOME", "/c"))).isEqualTo(Path.of("/c/huggingface/hub"));
    assertThat(cacheOf(Map.of())).isEqualTo(Path.of("/home/u/.cache/huggingface/hub"));
  }

  private static Path cacheOf(Map<String, String> env) {
    return HuggingFaceCache.fromEnvironment(env, "/home/u").hub();
  }

  /** Each pair's logit equals the oracle on its Hugging Face ids alone (no padding). */
  private static void assertScoresLikeTheOracle(
      ModelDirectory model, TinyCrossEncoder tiny, int positiveClass) throws Exception {
    try (LoadedModel loaded = LoadedModel.load(model, CPU)) {
      RankingRequest request =
          new RankingRequest("r", loaded.spec().name(), QUERY, PASSAGES, Truncate.NONE);
      EncodedRequest encoded = loaded.encoder().encode(request);
      float[] logits = loaded.encoder().logits(loaded.model().forward(encoded.sequences()));
      for (int i = 0; i < PASSAGES.size(); i++) {
        long[] ids = wordPieceIds(PASSAGES.get(i));
        long[] types = new long[ids.length];
        Arrays.fill(types, QUERY_TOKENS.split(" ").length, ids.length, 1L);
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1L);
        assertThat(encoded.sequences().get(i).ids()).containsExactly(ids);
        float[] out =
            tiny.expectedOutputs(new long[][] {ids}, new long[][] {mask}, new long[][] {types})[0];
        float expected = out.length == 1 ? out[0] : out[positiveClass] - out[1 - positiveClass];
        assertThat(logits[i]).isCloseTo(expected, within(1e-5f));
      }
    }
  }

  private static final String QUERY_TOKENS = "[CLS] which way should i go ? [SEP]";

  /** {@code [CLS] query [SEP] passage [SEP]} as BERT's tokenizer writes it for the fixtures. */
  private static long[] wordPieceIds(String passage) {
    String tokens = QUERY_TOKENS + " " + passage + " [SEP]";
    return Arrays.stream(tokens.split(" ")).mapToLong(TinyTokenizers::id).toArray();
  }
}
