package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.HuggingFaceLayouts;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyModelCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Several models in one job routed by the request's {@code model}, and the opt-in {@code top_n} /
 * {@code return_text} extensions, on a MiniCluster with two tiny cross-encoders.
 */
class ModelsAndExtensionsITCase {
  private static final int MAX_LENGTH = 24;
  private static final TinyCrossEncoder ALPHA =
      TinyCrossEncoder.builder().tokenTypes(true).seed(31).build();
  private static final TinyCrossEncoder BETA =
      TinyCrossEncoder.builder().tokenTypes(true).seed(32).build();
  private static final String QUERY = "which road should i travel";
  private static final List<String> PASSAGES =
      List.of("the road less traveled by", "two roads diverged", "a yellow wood", "i stood");

  @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);

  private static Path alphaDir;
  private static Path betaDir;

  @BeforeAll
  static void writeModels() {
    alphaDir = CLUSTER.crossEncoder("alpha", ALPHA, MAX_LENGTH);
    betaDir = CLUSTER.crossEncoder("beta", BETA, MAX_LENGTH);
  }

  @Test
  void requestsAreRoutedToTheModelTheyNameIncludingRenamedOnes(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("requests.jsonl");
    Files.write(
        input,
        List.of(
            request("to-alpha", "alpha", ""),
            request("to-renamed-beta", "second", ""),
            request("beta-by-old-name", "beta", ""),
            request("to-alpha-again", "alpha", "")));
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    int exit =
        run(
            console,
            "--input",
            input.toString(),
            "--output",
            dir.resolve("out").toString(),
            "--model",
            alphaDir.toString(),
            "--model",
            "second=" + betaDir,
            "--model",
            alphaDir.toString(),
            "--parallelism",
            "2");
    assertThat(exit).isZero();

    Map<String, RerankOutput> outputs = RerankJobITCase.readOutputs(dir.resolve("out"));
    assertScoredBy(outputs.get("to-alpha"), ALPHA, "alpha");
    assertScoredBy(outputs.get("to-alpha-again"), ALPHA, "alpha");
    assertScoredBy(outputs.get("to-renamed-beta"), BETA, "second");
    RerankOutput oldName = outputs.get("beta-by-old-name");
    assertThat(oldName.errorType).isEqualTo("model_not_found");
    assertThat(oldName.errorMessage)
        .isEqualTo("Model 'beta' is not served here. Served models: alpha, second");
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("Summary: 4 requests, 12 pairs scored, 1 errors (1 model_not_found) in");
  }

  @Test
  void twoModelsUnderOneNameFailBeforeTheJobStarts(@TempDir Path dir) throws IOException {
    Path input = dir.resolve("requests.jsonl");
    Files.write(input, List.of(request("r", "alpha", "")));

    IllegalArgumentException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                CommandLine.populateCommand(
                        new RerankOptions(),
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("out").toString(),
                        "--model",
                        "same=" + alphaDir,
                        "--model",
                        "same=" + betaDir)
                    .engine()
                    .servedModels());

    assertThat(failure.getMessage())
        .isEqualTo(
            "model name 'same' is served twice; give each --model its own name=dir (check the"
                + " --model values)");
  }

  @Test
  void huggingFaceExportsServeAsTheyAreUnderTheirDirectoryNames(@TempDir Path dir)
      throws Exception {
    Path optimum =
        HuggingFaceLayouts.optimumExport(
            dir.resolve("ms-marco-tiny"), ALPHA, "{\"0\": \"LABEL_0\"}");
    Path hub =
        HuggingFaceLayouts.hubSnapshot(
            dir.resolve("bge-reranker-tiny"),
            List.of("onnx/model.onnx", "onnx/model_qint8_avx512.onnx"),
            List.of(ALPHA, BETA),
            "{\"model_type\": \"bert\"}");
    Path input = dir.resolve("requests.jsonl");
    Files.write(
        input,
        List.of(
            request("optimum", "ms-marco-tiny", ""),
            request("hub", "bge-reranker-tiny", ""),
            request("no-model", "", "").replace(",\"model\":\"\"", "")));
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    int exit =
        run(
            console,
            "--input",
            input.toString(),
            "--output",
            dir.resolve("out").toString(),
            "--model",
            optimum.toString(),
            "--model",
            hub + "#onnx/model_qint8_avx512.onnx");
    assertThat(exit).as(console.toString(StandardCharsets.UTF_8)).isZero();

    Map<String, RerankOutput> outputs = RerankJobITCase.readOutputs(dir.resolve("out"));
    assertScoredBy(outputs.get("optimum"), ALPHA, "ms-marco-tiny");
    assertScoredBy(outputs.get("hub"), BETA, "bge-reranker-tiny");
    RerankOutput noModel = outputs.get("no-model");
    assertThat(noModel.errorStatus).isEqualTo(400);
    assertThat(noModel.errorMessage)
        .isEqualTo(
            "model: required when several models are served; expected one of ms-marco-tiny,"
                + " bge-reranker-tiny");
  }

  @Test
  void onnxFileOptionChoosesTheFileInEveryModelDirectory(@TempDir Path dir) throws IOException {
    Path input = Files.writeString(dir.resolve("requests.jsonl"), "");

    RerankOptions options =
        CommandLine.populateCommand(
            new RerankOptions(),
            "--input",
            input.toString(),
            "--output",
            dir.resolve("out").toString(),
            "--model",
            alphaDir.toString(),
            "--model",
            "default",
            "--onnx-file",
            "onnx/model_quantized.onnx");

    assertThat(options.engine().models())
        .containsExactly(alphaDir + "#onnx/model_quantized.onnx", "default");
    assertThat(options.engine().engineSettings().modelLocations())
        .isEqualTo(options.engine().models());
  }

  @Test
  void topNAndReturnTextShapeTheRankingOnlyWithExtensions(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("requests.jsonl");
    Files.write(
        input,
        List.of(
            request("top2", "alpha", ",\"top_n\":2"),
            request("texts", "alpha", ",\"return_text\":true"),
            request("both", "alpha", ",\"top_n\":1,\"return_text\":true"),
            request("plain", "alpha", "")));
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    int exit =
        run(
            console,
            "--input",
            input.toString(),
            "--output",
            dir.resolve("with").toString(),
            "--model",
            alphaDir.toString(),
            "--extensions");
    assertThat(exit).isZero();

    Map<String, RerankOutput> outputs = RerankJobITCase.readOutputs(dir.resolve("with"));
    RerankOutput plain = outputs.get("plain");
    assertScoredBy(plain, ALPHA, "alpha");
    assertThat(plain.texts).isNull();
    RerankOutput top2 = outputs.get("top2");
    assertThat(top2.indices).containsExactly(Arrays.copyOf(plain.indices, 2));
    assertThat(top2.logits).containsExactly(Arrays.copyOf(plain.logits, 2));
    assertThat(top2.promptTokens).as("usage counts every pair").isEqualTo(plain.promptTokens);
    RerankOutput texts = outputs.get("texts");
    assertThat(texts.indices).containsExactly(plain.indices);
    for (int rank = 0; rank < texts.indices.length; rank++) {
      assertThat(texts.texts[rank]).isEqualTo(PASSAGES.get(texts.indices[rank]));
    }
    RerankOutput both = outputs.get("both");
    assertThat(both.indices).containsExactly(plain.indices[0]);
    assertThat(both.texts).containsExactly(PASSAGES.get(plain.indices[0]));
    assertThat(console.toString(StandardCharsets.UTF_8))
        .as("pairs scored counts every passage, also under top_n")
        .contains("Summary: 4 requests, 16 pairs scored, 0 errors in");

    ByteArrayOutputStream strictConsole = new ByteArrayOutputStream();
    int strictExit =
        run(
            strictConsole,
            "--input",
            input.toString(),
            "--output",
            dir.resolve("strict").toString(),
            "--model",
            alphaDir.toString());
    assertThat(strictExit).isZero();
    Map<String, RerankOutput> strict = RerankJobITCase.readOutputs(dir.resolve("strict"));
    assertThat(strict.get("top2").errorMessage)
        .isEqualTo("top_n: unknown field, expected one of model, query, passages, truncate");
    assertThat(strict.get("top2").errorStatus).isEqualTo(400);
    assertThat(strict.get("texts").errorMessage)
        .isEqualTo("return_text: unknown field, expected one of model, query, passages, truncate");
    assertThat(strict.get("plain").isError()).isFalse();
    assertThat(strictConsole.toString(StandardCharsets.UTF_8))
        .contains("Summary: 4 requests, 4 pairs scored, 3 errors (3 invalid_request) in")
        .contains("Progress: 4/4 requests, 4/16 pairs");
  }

  private static int run(ByteArrayOutputStream console, String... args) {
    return new CommandLine(new RerankJob(new RerankOptions(), new PrintStream(console, true)))
        .execute(args);
  }

  private static String request(String id, String model, String extraFields) {
    List<String> passages = new ArrayList<>();
    PASSAGES.forEach(p -> passages.add("{\"text\":\"" + p + "\"}"));
    return "{\"id\":\""
        + id
        + "\",\"model\":\""
        + model
        + "\",\"query\":{\"text\":\""
        + QUERY
        + "\"},\"passages\":["
        + String.join(",", passages)
        + "]"
        + extraFields
        + "}";
  }

  /** The ranking holds every passage with exactly the logits {@code model} gives them. */
  private static void assertScoredBy(RerankOutput out, TinyCrossEncoder model, String servedName)
      throws IOException {
    assertThat(out.isError()).as(out.id).isFalse();
    assertThat(out.model).isEqualTo(servedName);
    assertThat(out.indices).containsExactlyInAnyOrder(0, 1, 2, 3);
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            alphaDir.resolve("tokenizer.json"),
            Map.of("padding", "false", "truncation", "false"))) {
      for (int rank = 0; rank < out.indices.length; rank++) {
        Encoding pair = tokenizer.encode(QUERY, PASSAGES.get(out.indices[rank]));
        long[] ids = pair.getIds();
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1L);
        float expected =
            model
                .expectedOutputs(
                    new long[][] {ids}, new long[][] {mask}, new long[][] {pair.getTypeIds()})[0][
                0];
        assertThat(out.logits[rank])
            .as("%s rank %d", out.id, rank)
            .isCloseTo(expected, within(1e-5f));
      }
    }
  }
}
