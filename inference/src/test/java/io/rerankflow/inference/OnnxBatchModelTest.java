package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.OnnxProtoWriter;
import io.rerankflow.testing.OnnxProtoWriter.IntAttribute;
import io.rerankflow.testing.TinyBiEncoder;
import io.rerankflow.testing.TinyCrossEncoder;
import io.rerankflow.testing.TinyCrossEncoder.Head;
import io.rerankflow.testing.TinyTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs tiny real ONNX graphs through {@link OnnxBatchModel} and compares every row of a padded
 * batch with a plain-Java oracle applied to that row alone, unpadded.
 */
class OnnxBatchModelTest {
  private static final SessionSettings CPU_ONE_THREAD = new SessionSettings(Device.CPU, 1);

  // Pairs of clearly different lengths, so every batch below is padded.
  private static final String[][] PAIRS = {
    {"which way should i go", "two roads diverged in a yellow wood"},
    {"go", "it"},
    {"the road", "and sorry i could not travel both and be one traveler, long i stood"},
    {"far down?", "as far as i could"},
  };

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"ONE,true", "ONE,false", "TWO,true", "TWO,false", "SCALAR,true", "SCALAR,false"})
  void crossEncoderLogitOfEachPaddedRowEqualsTheModelOnThatRowAlone(Head head, boolean types)
      throws Exception {
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().head(head).tokenTypes(types).build();
    ModelDirectory model = crossEncoderDirectory(oracle, "right");
    List<EncodedSequence> rows = pairRows(model);

    float[][] outputs = forward(model, rows);

    assertThat(outputs.length).isEqualTo(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      assertThat(outputs[r]).hasSize(1);
      assertThat(outputs[r][0])
          .as("row %d", r)
          .isCloseTo(expectedLogit(oracle, head, rows.get(r), types), within(1e-5f));
    }
  }

  @Test
  void twoClassHeadScoresClassOneMinusClassZero() throws Exception {
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().head(Head.TWO).build();
    ModelDirectory model = crossEncoderDirectory(oracle, "right");
    List<EncodedSequence> rows = pairRows(model);

    float[][] outputs = forward(model, rows);

    for (int r = 0; r < rows.size(); r++) {
      float[] classes = oracleOutputs(oracle, rows.get(r), true);
      assertThat(classes).hasSize(2);
      assertThat(outputs[r][0]).isCloseTo(classes[1] - classes[0], within(1e-5f));
    }
  }

  @Test
  void halfPrecisionOutputIsReadAsFloats() throws Exception {
    TinyCrossEncoder oracle =
        TinyCrossEncoder.builder().head(Head.ONE).fp16Output(true).outputName("scores").build();
    ModelDirectory model = crossEncoderDirectory(oracle, "right");
    List<EncodedSequence> rows = pairRows(model);

    float[][] outputs = forward(model, rows);

    for (int r = 0; r < rows.size(); r++) {
      float expected = expectedLogit(oracle, Head.ONE, rows.get(r), true);
      // float16 keeps 11 significant bits: a relative error of at most 2^-11.
      assertThat(outputs[r][0])
          .as("row %d", r)
          .isCloseTo(expected, within(Math.abs(expected) / 2048f + 1e-6f));
    }
  }

  @Test
  void leftPaddingGivesTheSameLogitsAsRightPadding() throws Exception {
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().build();
    ModelDirectory right = crossEncoderDirectory(oracle, "right", dir.resolve("right"));
    ModelDirectory left = crossEncoderDirectory(oracle, "left", dir.resolve("left"));
    List<EncodedSequence> rows = pairRows(right);

    float[][] rightOutputs = forward(right, rows);
    float[][] leftOutputs = forward(left, rows);

    for (int r = 0; r < rows.size(); r++) {
      float expected = expectedLogit(oracle, Head.ONE, rows.get(r), true);
      assertThat(rightOutputs[r][0]).isCloseTo(expected, within(1e-5f));
      assertThat(leftOutputs[r][0]).isCloseTo(expected, within(1e-5f));
    }
  }

  @ParameterizedTest
  @CsvSource({"right,0", "left,0", "left,9"})
  void paddingSideAndPadTokenIdDecideWhatSitsInTheFirstPosition(String side, long padId)
      throws Exception {
    // A "model" whose logit is the id at position 0, as a decoder reading a fixed position would
    // see it: [CLS] under right padding, the pad id for every shorter row under left padding.
    new OnnxProtoWriter("first_token")
        .input("input_ids", OnnxProtoWriter.INT64, "batch", "seq")
        .input("attention_mask", OnnxProtoWriter.INT64, "batch", "seq")
        .int64Initializer("position_0", new long[] {0}, 1)
        .node("Gather", List.of("input_ids", "position_0"), "first", new IntAttribute("axis", 1))
        .node("Cast", List.of("first"), "logits", new IntAttribute("to", OnnxProtoWriter.FLOAT))
        .output("logits", OnnxProtoWriter.FLOAT, "batch", 1)
        .write(dir.resolve(ModelDirectory.ONNX_FILE));
    TinyTokenizers.wordPiece(dir);
    writeSpec(
        dir,
        "{\"name\": \"first\", \"max_length\": 64, \"padding_side\": \""
            + side
            + "\", \"pad_token_id\": "
            + padId
            + "}");
    ModelDirectory model = ModelDirectory.open(dir);
    List<EncodedSequence> rows = pairRows(model);
    int longest = rows.stream().mapToInt(EncodedSequence::length).max().orElseThrow();

    float[][] outputs = forward(model, rows);

    long cls = TinyTokenizers.id(TinyTokenizers.CLS);
    for (int r = 0; r < rows.size(); r++) {
      boolean padded = rows.get(r).length() < longest;
      long expected = side.equals("left") && padded ? padId : cls;
      assertThat(outputs[r][0]).as("row %d", r).isEqualTo((float) expected);
    }
  }

  @Test
  void aPadTokenIdThatIsARealTokenDoesNotLeakIntoTheScores() throws Exception {
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().build();
    Path root = dir.resolve("model");
    crossEncoderDirectory(oracle, "right", root);
    Files.writeString(
        root.resolve(ModelSpec.FILE_NAME),
        "{\"name\": \"tiny\", \"max_length\": 64, \"pad_token_id\": "
            + TinyTokenizers.id("road")
            + "}");
    ModelDirectory model = ModelDirectory.open(root);
    List<EncodedSequence> rows = pairRows(model);

    float[][] outputs = forward(model, rows);

    for (int r = 0; r < rows.size(); r++) {
      assertThat(outputs[r][0])
          .isCloseTo(expectedLogit(oracle, Head.ONE, rows.get(r), true), within(1e-5f));
    }
  }

  @Test
  void aBatchOfOneRowMatchesTheOracle() throws Exception {
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().build();
    ModelDirectory model = crossEncoderDirectory(oracle, "right");
    EncodedSequence row = pairRows(model).get(2);

    float[][] outputs = forward(model, List.of(row));

    assertThat(outputs).hasDimensions(1, 1);
    assertThat(outputs[0][0]).isCloseTo(expectedLogit(oracle, Head.ONE, row, true), within(1e-5f));
  }

  @ParameterizedTest
  @CsvSource({"cls,right,true", "cls,left,true", "mean,right,true", "mean,left,false"})
  void biEncoderOutputsAreTheL2NormalisedPooledHiddenStates(
      String pooling, String paddingSide, boolean types) throws Exception {
    TinyBiEncoder oracle = TinyBiEncoder.builder().tokenTypes(types).build();
    oracle.write(dir.resolve(ModelDirectory.ONNX_FILE));
    TinyTokenizers.wordPiece(dir);
    writeSpec(
        dir,
        "{\"name\": \"tiny-bi\", \"kind\": \"bi-encoder\", \"max_length\": 64, \"pooling\": \""
            + pooling
            + "\", \"padding_side\": \""
            + paddingSide
            + "\"}");
    ModelDirectory model = ModelDirectory.open(dir);
    List<EncodedSequence> rows = singleRows(model);

    float[][] outputs = forward(model, rows);

    assertThat(outputs.length).isEqualTo(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      float[] expected = expectedEmbedding(oracle, rows.get(r), pooling.equals("mean"), types);
      assertThat(outputs[r]).as("row %d", r).containsExactly(expected, within(1e-5f));
      assertThat(norm(outputs[r])).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void modelWithoutInputIdsIsRejectedAtLoadNamingTheInput() throws IOException {
    OnnxProtoWriter graph =
        new OnnxProtoWriter("renamed_inputs")
            .input("tokens", OnnxProtoWriter.INT64, "batch", "seq")
            .input("attention_mask", OnnxProtoWriter.INT64, "batch", "seq")
            .int64Initializer("axis_1", new long[] {1}, 1)
            .node("Cast", List.of("tokens"), "tokens_float", new IntAttribute("to", 1))
            .node(
                "ReduceSum",
                List.of("tokens_float", "axis_1"),
                "logits",
                new IntAttribute("keepdims", 1))
            .output("logits", OnnxProtoWriter.FLOAT, "batch", 1);
    graph.write(dir.resolve(ModelDirectory.ONNX_FILE));
    TinyTokenizers.wordPiece(dir);
    writeSpec(dir, "{\"name\": \"renamed\"}");
    ModelDirectory model = ModelDirectory.open(dir);

    assertThatThrownBy(() -> OnnxBatchModel.load(model, CPU_ONE_THREAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(model.onnxFile().toString())
        .hasMessageContaining("missing input 'input_ids'")
        .hasMessageContaining("input 'tokens' is not one a bert model takes");
  }

  @Test
  void crossEncoderWithThreeClassesIsRejectedAtLoadNamingTheShape() throws IOException {
    float[] table = new float[TinyCrossEncoder.DEFAULT_VOCAB_SIZE * 3];
    Arrays.fill(table, 0.5f);
    OnnxProtoWriter graph =
        new OnnxProtoWriter("three_classes")
            .input("input_ids", OnnxProtoWriter.INT64, "batch", "seq")
            .input("attention_mask", OnnxProtoWriter.INT64, "batch", "seq")
            .floatInitializer("table", table, TinyCrossEncoder.DEFAULT_VOCAB_SIZE, 3)
            .int64Initializer("axis_1", new long[] {1}, 1)
            .node("Gather", List.of("table", "input_ids"), "per_token", new IntAttribute("axis", 0))
            .node(
                "ReduceSum",
                List.of("per_token", "axis_1"),
                "logits",
                new IntAttribute("keepdims", 0))
            .output("logits", OnnxProtoWriter.FLOAT, "batch", 3);
    graph.write(dir.resolve(ModelDirectory.ONNX_FILE));
    TinyTokenizers.wordPiece(dir);
    writeSpec(dir, "{\"name\": \"three\"}");
    ModelDirectory model = ModelDirectory.open(dir);

    assertThatThrownBy(() -> OnnxBatchModel.load(model, CPU_ONE_THREAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output 'logits' has shape [-1, 3]")
        .hasMessageContaining("[batch], [batch,1] or [batch,2]");
  }

  @Test
  void cudaOnACpuOnlyBuildFailsAtLoadPointingToTheGpuProfile() throws IOException {
    assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime build has CUDA");
    ModelDirectory model = crossEncoderDirectory(TinyCrossEncoder.builder().build(), "right");

    assertThatThrownBy(
            () -> OnnxBatchModel.load(model, new SessionSettings(Device.parse("cuda:0"), 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("--device cuda:0")
        .hasMessageContaining("CUDA")
        .hasMessageContaining("-Pgpu");
  }

  @Test
  void autoDeviceFallsBackToCpuAndScores() throws Exception {
    TinyCrossEncoder oracle = TinyCrossEncoder.builder().build();
    ModelDirectory model = crossEncoderDirectory(oracle, "right");
    List<EncodedSequence> rows = pairRows(model);

    float[][] outputs;
    try (OnnxBatchModel onnx =
        OnnxBatchModel.load(model, new SessionSettings(Device.parse("auto"), 1))) {
      outputs = onnx.forward(rows);
    }

    for (int r = 0; r < rows.size(); r++) {
      assertThat(outputs[r][0])
          .isCloseTo(expectedLogit(oracle, Head.ONE, rows.get(r), true), within(1e-5f));
    }
  }

  @ParameterizedTest
  @CsvSource({"cpu,cpu", "CPU,cpu", "auto,auto", "cuda,cuda", "cuda:0,cuda:0", "' Cuda:3 ',cuda:3"})
  void deviceParsesItsDocumentedForms(String value, String canonical) {
    Device device = Device.parse(value);

    assertThat(device).hasToString(canonical);
    assertThat(Device.parse(device.toString())).isEqualTo(device);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:0", "cuda0", "tpu"})
  void deviceRejectsOtherValuesListingTheAllowedOnes(String value) {
    assertThatThrownBy(() -> Device.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("device '" + value + "' is not one of cpu, auto, cuda, cuda:N (N = GPU index)");
  }

  private ModelDirectory crossEncoderDirectory(TinyCrossEncoder oracle, String paddingSide)
      throws IOException {
    return crossEncoderDirectory(oracle, paddingSide, dir);
  }

  private static ModelDirectory crossEncoderDirectory(
      TinyCrossEncoder oracle, String paddingSide, Path root) throws IOException {
    Files.createDirectories(root);
    oracle.write(root.resolve(ModelDirectory.ONNX_FILE));
    TinyTokenizers.wordPiece(root);
    writeSpec(
        root,
        "{\"name\": \"tiny\", \"max_length\": 64, \"padding_side\": \"" + paddingSide + "\"}");
    return ModelDirectory.open(root);
  }

  private static void writeSpec(Path root, String json) throws IOException {
    Files.writeString(root.resolve(ModelSpec.FILE_NAME), json);
  }

  private static float[][] forward(ModelDirectory model, List<EncodedSequence> rows)
      throws Exception {
    try (OnnxBatchModel onnx = OnnxBatchModel.load(model, CPU_ONE_THREAD)) {
      return onnx.forward(rows);
    }
  }

  private static List<EncodedSequence> pairRows(ModelDirectory model) throws Exception {
    List<EncodedSequence> rows = new ArrayList<>();
    try (TextTokenizer tokenizer = new TextTokenizer(model.tokenizerFile(), 64)) {
      for (String[] pair : PAIRS) {
        rows.add(tokenizer.encodePair(pair[0], pair[1], Truncate.NONE));
      }
    }
    assertThat(rows.stream().mapToInt(EncodedSequence::length).distinct().count())
        .isEqualTo(PAIRS.length);
    return rows;
  }

  private static List<EncodedSequence> singleRows(ModelDirectory model) throws Exception {
    List<EncodedSequence> rows = new ArrayList<>();
    try (TextTokenizer tokenizer = new TextTokenizer(model.tokenizerFile(), 64)) {
      for (String[] pair : PAIRS) {
        rows.add(tokenizer.encodeSingle(pair[1], Truncate.NONE));
      }
    }
    return rows;
  }

  /** The oracle's raw head outputs for one row, run alone without padding. */
  private static float[] oracleOutputs(
      TinyCrossEncoder oracle, EncodedSequence row, boolean types) {
    long[][] mask = {ones(row.length())};
    return oracle
        .expectedOutputs(
            new long[][] {row.ids()}, mask, types ? new long[][] {row.typeIds()} : null)[0];
  }

  private static float expectedLogit(
      TinyCrossEncoder oracle, Head head, EncodedSequence row, boolean types) {
    float[] out = oracleOutputs(oracle, row, types);
    return head == Head.TWO ? out[1] - out[0] : out[0];
  }

  private static float[] expectedEmbedding(
      TinyBiEncoder oracle, EncodedSequence row, boolean mean, boolean types) {
    float[][] states =
        oracle
            .expectedHiddenStates(
                new long[][] {row.ids()},
                new long[][] {ones(row.length())},
                types ? new long[][] {row.typeIds()} : null)[0];
    int hidden = states[0].length;
    double[] pooled = new double[hidden];
    if (mean) {
      for (float[] token : states) {
        for (int h = 0; h < hidden; h++) {
          pooled[h] += token[h] / (double) states.length;
        }
      }
    } else {
      for (int h = 0; h < hidden; h++) {
        pooled[h] = states[0][h];
      }
    }
    double norm = Math.sqrt(Arrays.stream(pooled).map(x -> x * x).sum());
    float[] unit = new float[hidden];
    for (int h = 0; h < hidden; h++) {
      unit[h] = (float) (pooled[h] / norm);
    }
    return unit;
  }

  private static long[] ones(int length) {
    long[] ones = new long[length];
    Arrays.fill(ones, 1L);
    return ones;
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }
}
