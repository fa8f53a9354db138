package io.rerankflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.rerankflow.testing.TinyCrossEncoder.Head;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Proves the hand-written fixtures are real: ORT runs the models and DJL loads the tokenizer. */
class TinyModelsTest {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  // Two rows of different lengths, the second right-padded; its first padding id is a real token
  // so that a graph ignoring the mask cannot match the oracle by accident.
  private static final long[][] IDS = {{2, 60, 17, 3, 22, 3}, {2, 44, 3, 9, 3, 0}};
  private static final long[][] MASK = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}};
  private static final long[][] TYPES = {{0, 0, 0, 0, 1, 1}, {0, 0, 0, 1, 1, 0}};
  private static final Map<String, String> NO_PADDING_OR_TRUNCATION =
      Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true");

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"ONE,true", "ONE,false", "TWO,true", "TWO,false", "SCALAR,true", "SCALAR,false"})
  void crossEncoderMatchesPlainJavaOracle(Head head, boolean tokenTypes) throws OrtException {
    TinyCrossEncoder model = TinyCrossEncoder.builder().head(head).tokenTypes(tokenTypes).build();
    long[][] types = tokenTypes ? TYPES : null;

    Output output = run(model.write(dir.resolve("model.onnx")), "logits", types);

    float[][] expected = model.expectedOutputs(IDS, MASK, types);
    long[] expectedShape = head == Head.SCALAR ? new long[] {2} : new long[] {2, head.classes()};
    assertThat(output.shape()).containsExactly(expectedShape);
    assertThat(output.type()).isEqualTo(OnnxJavaType.FLOAT);
    assertThat(output.values()).containsExactly(flatten(expected), within(1e-5f));
  }

  @Test
  void fp16OutputIsDeclaredHalfAndReadBackAsFloats() throws OrtException {
    TinyCrossEncoder model =
        TinyCrossEncoder.builder().head(Head.TWO).fp16Output(true).outputName("scores").build();

    Output output = run(model.write(dir.resolve("model.onnx")), "scores", TYPES);

    assertThat(output.type()).isEqualTo(OnnxJavaType.FLOAT16);
    // ORT Java widens FLOAT16 to float32 in both getFloatBuffer() and getValue().
    assertThat(output.value()).isInstanceOf(float[][].class);
    assertThat(output.shape()).containsExactly(2, 2);
    assertThat(output.values())
        .containsExactly(flatten(model.expectedOutputs(IDS, MASK, TYPES)), within(1e-2f));
  }

  @Test
  void positionIdsInputAddsALearnedPositionTable() throws OrtException {
    TinyCrossEncoder model =
        TinyCrossEncoder.builder().tokenTypes(false).positions(16).head(Head.SCALAR).build();
    long[][] positions = {{0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 0, 0}};
    long[][] shifted = {{1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 0, 0}};
    Path file = model.write(dir.resolve("model.onnx"));

    try (OrtSession session = open(file)) {
      assertThat(session.getInputNames())
          .containsExactlyInAnyOrder("input_ids", "attention_mask", "position_ids");
      Map<String, OnnxTensor> inputs = new HashMap<>();
      try {
        inputs.put("input_ids", OnnxTensor.createTensor(ENV, IDS));
        inputs.put("attention_mask", OnnxTensor.createTensor(ENV, MASK));
        inputs.put("position_ids", OnnxTensor.createTensor(ENV, positions));
        try (OrtSession.Result result = session.run(inputs)) {
          float[] logits = (float[]) result.get(0).getValue();
          float[][] expected = model.expectedOutputs(IDS, MASK, null, positions);
          assertThat(logits).containsExactly(flatten(expected), within(1e-5f));
          float[][] other = model.expectedOutputs(IDS, MASK, null, shifted);
          assertThat(other[0][0]).as("positions matter").isNotCloseTo(logits[0], within(1e-3f));
        }
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
    }
  }

  @Test
  void bfloat16OutputIsReadBackAsFloats() throws OrtException {
    TinyCrossEncoder model =
        TinyCrossEncoder.builder().outputType(OnnxProtoWriter.BFLOAT16).build();

    Output output = run(model.write(dir.resolve("model.onnx")), "logits", TYPES);

    assertThat(output.type()).isEqualTo(OnnxJavaType.BFLOAT16);
    assertThat(output.values())
        .containsExactly(flatten(model.expectedOutputs(IDS, MASK, TYPES)), within(5e-2f));
  }

  @Test
  void sessionDeclaresExactlyTheModelInputs() throws OrtException {
    TinyCrossEncoder withTypes = TinyCrossEncoder.builder().tokenTypes(true).build();
    TinyCrossEncoder withoutTypes = TinyCrossEncoder.builder().tokenTypes(false).build();

    try (OrtSession session = open(withTypes.write(dir.resolve("with.onnx")))) {
      assertThat(session.getInputNames())
          .containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids")
          .containsExactlyInAnyOrderElementsOf(withTypes.inputNames());
      assertThat(session.getOutputNames()).containsExactly("logits");
    }
    try (OrtSession session = open(withoutTypes.write(dir.resolve("without.onnx")))) {
      assertThat(session.getInputNames())
          .containsExactlyInAnyOrder("input_ids", "attention_mask")
          .containsExactlyInAnyOrderElementsOf(withoutTypes.inputNames());
    }
  }

  @Test
  void paddingDoesNotChangeTheScoreOfAShorterRow() throws OrtException {
    TinyCrossEncoder model = TinyCrossEncoder.builder().build();
    Path file = model.write(dir.resolve("model.onnx"));

    float padded = run(file, "logits", TYPES).values()[1];
    float alone =
        runOn(
                file,
                "logits",
                new long[][] {{2, 44, 3, 9}},
                new long[][] {{1, 1, 1, 1}},
                new long[][] {{0, 0, 0, 1}})
            .values()[0];

    assertThat(padded).isCloseTo(alone, within(1e-5f));
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void biEncoderMatchesPlainJavaOracle(boolean tokenTypes) throws OrtException {
    TinyBiEncoder model = TinyBiEncoder.builder().tokenTypes(tokenTypes).build();
    long[][] types = tokenTypes ? TYPES : null;

    Output output = run(model.write(dir.resolve("model.onnx")), "last_hidden_state", types);

    float[][][] expected = model.expectedHiddenStates(IDS, MASK, types);
    assertThat(output.shape()).containsExactly(2, 6, 8);
    float[] flat = flatten(Arrays.stream(expected).flatMap(Arrays::stream).toArray(float[][]::new));
    assertThat(output.values()).containsExactly(flat, within(1e-5f));
  }

  @Test
  void djlEncodesAPairWithTheBertTemplate() throws Exception {
    Path file = TinyTokenizers.wordPiece(dir);

    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(file, NO_PADDING_OR_TRUNCATION)) {
      Encoding encoding = tokenizer.encode("Which way should I go?", "two roads diverged");

      assertThat(encoding.getIds())
          .containsExactly(ids("[CLS] which way should i go ? [SEP] two roads diverged [SEP]"));
      assertThat(encoding.getTypeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1);
      assertThat(encoding.getAttentionMask()).containsOnly(1L);
    }
  }

  @Test
  void everyPrintableAsciiCharacterHasAVocabularyEntry() throws Exception {
    String ascii =
        IntStream.rangeClosed(' ', '~')
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();

    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(TinyTokenizers.wordPiece(dir), NO_PADDING_OR_TRUNCATION)) {
      Encoding encoding = tokenizer.encode(ascii + " unforeseen 42x");

      assertThat(encoding.getIds()).doesNotContain(TinyTokenizers.id("[UNK]"));
      assertThat(encoding.getTokens()).contains("##x");
    }
    assertThat(TinyTokenizers.vocabSize()).isLessThanOrEqualTo(TinyCrossEncoder.DEFAULT_VOCAB_SIZE);
  }

  private static Output run(Path model, String outputName, long[][] types) throws OrtException {
    return runOn(model, outputName, IDS, MASK, types);
  }

  /** Runs the model, feeding token types only when given (models without them reject extras). */
  private static Output runOn(
      Path model, String outputName, long[][] ids, long[][] mask, long[][] types)
      throws OrtException {
    try (OrtSession session = open(model)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      try {
        inputs.put("input_ids", OnnxTensor.createTensor(ENV, ids));
        inputs.put("attention_mask", OnnxTensor.createTensor(ENV, mask));
        if (types != null) {
          inputs.put("token_type_ids", OnnxTensor.createTensor(ENV, types));
        }
        try (OrtSession.Result result = session.run(inputs)) {
          OnnxTensor tensor = (OnnxTensor) result.get(outputName).orElseThrow();
          TensorInfo info = tensor.getInfo();
          FloatBuffer buffer = tensor.getFloatBuffer();
          float[] values = new float[buffer.remaining()];
          buffer.get(values);
          return new Output(info.getShape(), info.type, values, tensor.getValue());
        }
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
    }
  }

  private static OrtSession open(Path model) throws OrtException {
    return ENV.createSession(model.toString(), new OrtSession.SessionOptions());
  }

  private static float[] flatten(float[][] rows) {
    int width = rows[0].length;
    float[] flat = new float[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * width, width);
    }
    return flat;
  }

  private static long[] ids(String spaceSeparatedTokens) {
    return Arrays.stream(spaceSeparatedTokens.split(" ")).mapToLong(TinyTokenizers::id).toArray();
  }

  private record Output(long[] shape, OnnxJavaType type, float[] values, Object value) {}
}
