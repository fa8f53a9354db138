package io.rerankflow.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A deterministic tiny embedding ONNX model whose every position, CLS included, depends on the
 * whole (masked) input, plus a plain-Java oracle for its hidden states.
 */
public final class TinyBiEncoder {
  public static final String OUTPUT_NAME = "last_hidden_state";

  private final TinyEmbeddings embeddings;

  private TinyBiEncoder(Builder builder) {
    this.embeddings =
        new TinyEmbeddings(
            new Random(builder.seed), builder.vocabSize, builder.hidden, builder.tokenTypes);
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<String> inputNames() {
    return embeddings.inputNames();
  }

  /** Writes the model as a single self-contained ONNX file. */
  public Path write(Path modelFile) {
    OnnxProtoWriter graph = new OnnxProtoWriter("tiny_bi_encoder");
    embeddings.addTo(graph);
    graph
        .node("Unsqueeze", List.of(TinyEmbeddings.MEAN, TinyEmbeddings.AXIS_1), "mean_3d")
        .node("Add", List.of(TinyEmbeddings.EMBEDDINGS, "mean_3d"), OUTPUT_NAME)
        .output(OUTPUT_NAME, OnnxProtoWriter.FLOAT, "batch", "seq", embeddings.hidden());
    graph.write(modelFile);
    return modelFile;
  }

  /**
   * The hidden states the model must produce, [batch][seq][hidden]: each token's embedding plus its
   * row's masked mean. tokenTypeIds may be null when the model has no token types.
   */
  public float[][][] expectedHiddenStates(
      long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    float[][][] states = embeddings.embed(inputIds, tokenTypeIds);
    float[][] mean = TinyEmbeddings.maskedMean(states, attentionMask);
    for (int b = 0; b < states.length; b++) {
      for (float[] token : states[b]) {
        for (int h = 0; h < token.length; h++) {
          token[h] += mean[b][h];
        }
      }
    }
    return states;
  }

  /** Options for {@link TinyBiEncoder}; defaults give a 256-token, 8-wide model with types. */
  public static final class Builder {
    private int vocabSize = TinyCrossEncoder.DEFAULT_VOCAB_SIZE;
    private int hidden = 8;
    private boolean tokenTypes = true;
    private long seed = 11;

    private Builder() {}

    public Builder vocabSize(int vocabSize) {
      this.vocabSize = vocabSize;
      return this;
    }

    public Builder hidden(int hidden) {
      this.hidden = hidden;
      return this;
    }

    public Builder tokenTypes(boolean tokenTypes) {
      this.tokenTypes = tokenTypes;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public TinyBiEncoder build() {
      return new TinyBiEncoder(this);
    }
  }
}
