package io.rerankflow.inference;

import static io.rerankflow.inference.EncodedSubmissions.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.Truncate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embedded BGE model served through the engine agrees with a plain ONNX Runtime + DJL
 * computation of the same cosines, one sequence at a time.
 */
class DefaultModelScoresTest {
  private static final String QUERY = "What is the capital of France?";
  private static final List<String> PASSAGES =
      List.of(
          "Paris is the capital and most populous city of France.",
          "Bananas are rich in potassium.",
          "Berlin is the capital of Germany.");
  private static final String BGE_QUERY_PREFIX =
      "Represent this sentence for searching relevant passages: ";

  @Test
  void engineCosinesMatchAnIndependentOnnxRuntimeComputation() throws Exception {
    ModelDirectory model = DefaultModel.directory();
    Reference reference = independentReference(model);
    float[] expected = reference.cosines();

    RerankOutput output = scoreWithEngine(model);

    assertThat(output.isError()).as("%s", output).isFalse();
    assertThat(output.indices).containsExactlyInAnyOrder(0, 1, 2);
    for (int k = 0; k < output.indices.length; k++) {
      // int8 dynamic quantisation scales activations per batch, so padding and batch-mates shift
      // the cosines slightly; a wrong pooling, prefix or alignment moves them far more.
      assertThat(output.logits[k])
          .as("passage %d", output.indices[k])
          .isCloseTo(expected[output.indices[k]], within(0.06f));
    }
    assertThat(output.indices[0]).as("Paris ranks first").isEqualTo(0);
    assertThat(output.indices[2]).as("bananas rank last").isEqualTo(1);
    assertThat(expected[0]).isGreaterThan(expected[2]).isGreaterThan(expected[1]);
    assertThat(output.promptTokens).isEqualTo(reference.promptTokens());
  }

  private static RerankOutput scoreWithEngine(ModelDirectory model) throws Exception {
    LoadedModel loaded = LoadedModel.load(model, new SessionSettings(Device.CPU, 2));
    try (InferenceEngine engine =
        new InferenceEngine(
            Map.of(DefaultModel.NAME, loaded), BatchingSettings.DEFAULTS, "default-model")) {
      CompletableFuture<RerankOutput> result = new CompletableFuture<>();
      submit(
          engine,
          new RankingRequest("q1", DefaultModel.NAME, QUERY, PASSAGES, Truncate.NONE),
          result::complete);
      return result.get(60, TimeUnit.SECONDS);
    }
  }

  /** Cosines of the passages' CLS vectors with the query's, and the pairs' summed token counts. */
  private record Reference(float[] cosines, int promptTokens) {}

  /** Each text tokenised and run on its own: a batch of one, no padding. */
  private static Reference independentReference(ModelDirectory model) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (HuggingFaceTokenizer tokenizer =
            HuggingFaceTokenizer.newInstance(
                model.tokenizerFile(),
                Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"));
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model.onnxFile().toString(), options)) {
      // The exported BERT takes token types too; they are all 0 for single sequences.
      assertThat(session.getInputNames())
          .containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids");
      Encoding queryEncoding = tokenizer.encode(BGE_QUERY_PREFIX + QUERY);
      float[] query = clsEmbedding(env, session, queryEncoding);
      float[] cosines = new float[PASSAGES.size()];
      int promptTokens = 0;
      for (int p = 0; p < PASSAGES.size(); p++) {
        Encoding passageEncoding = tokenizer.encode(PASSAGES.get(p));
        promptTokens += queryEncoding.getIds().length + passageEncoding.getIds().length;
        float[] passage = clsEmbedding(env, session, passageEncoding);
        double dot = 0;
        for (int h = 0; h < query.length; h++) {
          dot += (double) query[h] * passage[h];
        }
        cosines[p] = (float) dot;
      }
      return new Reference(cosines, promptTokens);
    }
  }

  private static float[] clsEmbedding(OrtEnvironment env, OrtSession session, Encoding encoding)
      throws Exception {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, new long[][] {encoding.getIds()}));
      inputs.put(
          "attention_mask",
          OnnxTensor.createTensor(env, new long[][] {encoding.getAttentionMask()}));
      if (session.getInputNames().contains("token_type_ids")) {
        inputs.put(
            "token_type_ids", OnnxTensor.createTensor(env, new long[][] {encoding.getTypeIds()}));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        float[][][] hidden = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
        float[] cls = hidden[0][0].clone();
        double norm = 0;
        for (float x : cls) {
          norm += (double) x * x;
        }
        for (int h = 0; h < cls.length; h++) {
          cls[h] /= (float) Math.sqrt(norm);
        }
        return cls;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }
}
