package io.rerankflow.testing;

import io.rerankflow.testing.OnnxProtoWriter.IntAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Token (+ token-type, + position) embeddings and masked mean pooling shared by the tiny ONNX
 * models.
 */
final class TinyEmbeddings {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String POSITION_IDS = "position_ids";

  /** Graph value holding the per-token embeddings, [batch, seq, hidden]. */
  static final String EMBEDDINGS = "embeddings";

  /** Graph value holding the masked mean over the sequence, [batch, hidden]. */
  static final String MEAN = "masked_mean";

  /** Int64 initializer [1] holding the axis 1, for Unsqueeze/Squeeze/ReduceSum inputs. */
  static final String AXIS_1 = "axis_1";

  private static final String AXIS_2 = "axis_2";
  private static final int TOKEN_TYPES = 2;

  private final int vocabSize;
  private final int hidden;
  private final float[] tokenTable;
  private final float[] typeTable;
  private final int positions;
  private final float[] positionTable;

  TinyEmbeddings(Random random, int vocabSize, int hidden, boolean tokenTypes) {
    this(random, vocabSize, hidden, tokenTypes, 0);
  }

  /**
   * @param positions size of a learned position table fed by a {@code position_ids} input; 0 for
   *     none
   */
  TinyEmbeddings(Random random, int vocabSize, int hidden, boolean tokenTypes, int positions) {
    this.vocabSize = vocabSize;
    this.hidden = hidden;
    this.tokenTable = gaussian(random, vocabSize * hidden);
    this.typeTable = tokenTypes ? gaussian(random, TOKEN_TYPES * hidden) : null;
    this.positions = positions;
    this.positionTable = positions > 0 ? gaussian(random, positions * hidden) : null;
  }

  static float[] gaussian(Random random, int size) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian() * 0.5f;
    }
    return values;
  }

  int hidden() {
    return hidden;
  }

  List<String> inputNames() {
    List<String> names = new ArrayList<>(List.of(INPUT_IDS, ATTENTION_MASK));
    if (typeTable != null) {
      names.add(TOKEN_TYPE_IDS);
    }
    if (positionTable != null) {
      names.add(POSITION_IDS);
    }
    return names;
  }

  /** Declares the model inputs and the nodes producing {@link #EMBEDDINGS} and {@link #MEAN}. */
  void addTo(OnnxProtoWriter graph) {
    inputNames().forEach(name -> graph.input(name, OnnxProtoWriter.INT64, "batch", "seq"));
    graph
        .floatInitializer("token_table", tokenTable, vocabSize, hidden)
        .int64Initializer(AXIS_1, new long[] {1}, 1)
        .int64Initializer(AXIS_2, new long[] {2}, 1);
    String sum = "token_part";
    graph.node("Gather", List.of("token_table", INPUT_IDS), sum, axis(0));
    if (typeTable != null) {
      graph
          .floatInitializer("type_table", typeTable, TOKEN_TYPES, hidden)
          .node("Gather", List.of("type_table", TOKEN_TYPE_IDS), "type_part", axis(0))
          .node("Add", List.of(sum, "type_part"), "with_types");
      sum = "with_types";
    }
    if (positionTable != null) {
      graph
          .floatInitializer("position_table", positionTable, positions, hidden)
          .node("Gather", List.of("position_table", POSITION_IDS), "position_part", axis(0))
          .node("Add", List.of(sum, "position_part"), "with_positions");
      sum = "with_positions";
    }
    graph.node("Identity", List.of(sum), EMBEDDINGS);
    graph
        .node(
            "Cast", List.of(ATTENTION_MASK), "mask", new IntAttribute("to", OnnxProtoWriter.FLOAT))
        .node("Unsqueeze", List.of("mask", AXIS_2), "mask_3d")
        .node("Mul", List.of(EMBEDDINGS, "mask_3d"), "masked_embeddings")
        .node("ReduceSum", List.of("masked_embeddings", AXIS_1), "masked_sum", keepDims(0))
        .node("ReduceSum", List.of("mask", AXIS_1), "mask_count", keepDims(1))
        .node("Div", List.of("masked_sum", "mask_count"), MEAN);
  }

  /** Plain-Java twin of {@link #EMBEDDINGS}; tokenTypeIds may be null only without token types. */
  float[][][] embed(long[][] inputIds, long[][] tokenTypeIds) {
    return embed(inputIds, tokenTypeIds, null);
  }

  /** As {@link #embed(long[][], long[][])}; positionIds may be null only without positions. */
  float[][][] embed(long[][] inputIds, long[][] tokenTypeIds, long[][] positionIds) {
    if (typeTable != null && tokenTypeIds == null) {
      throw new IllegalArgumentException("this model takes token_type_ids");
    }
    if (positionTable != null && positionIds == null) {
      throw new IllegalArgumentException("this model takes position_ids");
    }
    float[][][] out = new float[inputIds.length][][];
    for (int b = 0; b < inputIds.length; b++) {
      out[b] = new float[inputIds[b].length][hidden];
      for (int t = 0; t < inputIds[b].length; t++) {
        for (int h = 0; h < hidden; h++) {
          float value = tokenTable[(int) inputIds[b][t] * hidden + h];
          if (typeTable != null) {
            value += typeTable[(int) tokenTypeIds[b][t] * hidden + h];
          }
          if (positionTable != null) {
            value += positionTable[(int) positionIds[b][t] * hidden + h];
          }
          out[b][t][h] = value;
        }
      }
    }
    return out;
  }

  /** Plain-Java twin of {@link #MEAN}, summing in float32 along the sequence like ReduceSum. */
  static float[][] maskedMean(float[][][] embeddings, long[][] attentionMask) {
    float[][] mean = new float[embeddings.length][];
    for (int b = 0; b < embeddings.length; b++) {
      int hiddenSize = embeddings[b][0].length;
      float[] sum = new float[hiddenSize];
      float count = 0f;
      for (int t = 0; t < embeddings[b].length; t++) {
        float m = attentionMask[b][t];
        count += m;
        for (int h = 0; h < hiddenSize; h++) {
          sum[h] += embeddings[b][t][h] * m;
        }
      }
      mean[b] = new float[hiddenSize];
      for (int h = 0; h < hiddenSize; h++) {
        mean[b][h] = sum[h] / count;
      }
    }
    return mean;
  }

  private static IntAttribute axis(long value) {
    return new IntAttribute("axis", value);
  }

  private static IntAttribute keepDims(long value) {
    return new IntAttribute("keepdims", value);
  }
}
