package io.rerankflow.testing;

import io.rerankflow.testing.OnnxProtoWriter.IntAttribute;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A deterministic tiny cross-encoder ONNX model plus a plain-Java oracle for its logits. */
public final class TinyCrossEncoder {
  /** Large enough for every id {@link TinyTokenizers} can produce. */
  public static final int DEFAULT_VOCAB_SIZE = 256;

  /** Shape of the scoring head. */
  public enum Head {
    /** logits [batch, 1]. */
    ONE(1),
    /** logits [batch, 2], as exported by binary sequence classifiers. */
    TWO(2),
    /** logits [batch], as exported by models that squeeze the single logit. */
    SCALAR(1);

    private final int classes;

    Head(int classes) {
      this.classes = classes;
    }

    public int classes() {
      return classes;
    }
  }

  private final TinyEmbeddings embeddings;
  private final Head head;
  private final String outputName;
  private final int outputType;
  private final float[] weight;
  private final float[] bias;
  private final String externalData;

  private TinyCrossEncoder(Builder builder) {
    this.externalData = builder.externalData;
    Random random = new Random(builder.seed);
    this.embeddings =
        new TinyEmbeddings(
            random, builder.vocabSize, builder.hidden, builder.tokenTypes, builder.positions);
    this.head = builder.head;
    this.outputName = builder.outputName;
    this.outputType = builder.outputType;
    this.weight = TinyEmbeddings.gaussian(random, builder.hidden * head.classes());
    this.bias = TinyEmbeddings.gaussian(random, head.classes());
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<String> inputNames() {
    return embeddings.inputNames();
  }

  public String outputName() {
    return outputName;
  }

  /**
   * Writes the model as one ONNX file, or with its float weights in the builder's external data
   * file next to it.
   */
  public Path write(Path modelFile) {
    OnnxProtoWriter graph = new OnnxProtoWriter("tiny_cross_encoder");
    if (externalData != null) {
      graph.externalData(externalData);
    }
    embeddings.addTo(graph);
    int classes = head.classes();
    graph
        .floatInitializer("head_weight", weight, embeddings.hidden(), classes)
        .floatInitializer("head_bias", bias, classes)
        .node("MatMul", List.of(TinyEmbeddings.MEAN, "head_weight"), "head_matmul")
        .node("Add", List.of("head_matmul", "head_bias"), "head_logits");
    String last = "head_logits";
    if (head == Head.SCALAR) {
      graph.node("Squeeze", List.of(last, TinyEmbeddings.AXIS_1), "head_squeezed");
      last = "head_squeezed";
    }
    if (outputType != OnnxProtoWriter.FLOAT) {
      graph.node("Cast", List.of(last), "head_cast", new IntAttribute("to", outputType));
      last = "head_cast";
    }
    // A final Identity lets the output carry any configured name without renaming nodes above.
    graph.node("Identity", List.of(last), outputName);
    if (head == Head.SCALAR) {
      graph.output(outputName, outputType, "batch");
    } else {
      graph.output(outputName, outputType, "batch", classes);
    }
    graph.write(modelFile);
    return modelFile;
  }

  /**
   * The logits the model must produce, [batch][classes] ([batch][1] for {@link Head#SCALAR}), in
   * float32 before any fp16 cast. tokenTypeIds may be null when the model has no token types.
   */
  public float[][] expectedOutputs(
      long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    return expectedOutputs(inputIds, attentionMask, tokenTypeIds, null);
  }

  /**
   * As {@link #expectedOutputs(long[][], long[][], long[][])} for a model that also takes {@code
   * position_ids}; positionIds may be null when it does not.
   */
  public float[][] expectedOutputs(
      long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds, long[][] positionIds) {
    float[][] mean =
        TinyEmbeddings.maskedMean(
            embeddings.embed(inputIds, tokenTypeIds, positionIds), attentionMask);
    int classes = head.classes();
    float[][] logits = new float[mean.length][classes];
    for (int b = 0; b < mean.length; b++) {
      for (int c = 0; c < classes; c++) {
        float dot = 0f;
        for (int h = 0; h < mean[b].length; h++) {
          dot += mean[b][h] * weight[h * classes + c];
        }
        logits[b][c] = dot + bias[c];
      }
    }
    return logits;
  }

  /** Options for {@link TinyCrossEncoder}; defaults give a 256-token, 8-wide, one-logit model. */
  public static final class Builder {
    private int vocabSize = DEFAULT_VOCAB_SIZE;
    private int hidden = 8;
    private boolean tokenTypes = true;
    private Head head = Head.ONE;
    private String outputName = "logits";
    private int positions;
    private int outputType = OnnxProtoWriter.FLOAT;
    private long seed = 7;
    private String externalData;

    private Builder() {}

    /**
     * Keeps the float weights in this file next to the model ({@code model.onnx_data}, {@code
     * model.onnx.data}), as exports over 2 GB must; null (the default) for one file.
     */
    public Builder externalData(String fileName) {
      this.externalData = fileName;
      return this;
    }

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

    public Builder head(Head head) {
      this.head = head;
      return this;
    }

    public Builder outputName(String outputName) {
      this.outputName = outputName;
      return this;
    }

    /** Ends the graph with Cast(to=FLOAT16), like models exported in half precision. */
    public Builder fp16Output(boolean fp16Output) {
      return outputType(fp16Output ? OnnxProtoWriter.FLOAT16 : OnnxProtoWriter.FLOAT);
    }

    /** The output's element type ({@link OnnxProtoWriter#FLOAT16}, ...), cast to at the end. */
    public Builder outputType(int outputType) {
      this.outputType = outputType;
      return this;
    }

    /**
     * Adds a {@code position_ids} input feeding a learned position table of this size (Llama-style
     * exports), so scores depend on the positions fed; 0 (the default) for none.
     */
    public Builder positions(int positions) {
      this.positions = positions;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public TinyCrossEncoder build() {
      return new TinyCrossEncoder(this);
    }
  }
}
