package io.rerankflow.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The inputs an ONNX export declares, checked against what its family fills: always {@code
 * input_ids} and {@code attention_mask}, plus the family's optional ones ({@code token_type_ids}
 * for BERT, {@code position_ids} for Llama). All are int64 {@code [batch, seq]}.
 *
 * @param tokenTypeIds whether the export takes {@code token_type_ids}
 * @param positionIds whether the export takes {@code position_ids}
 */
record OnnxInputs(boolean tokenTypeIds, boolean positionIds) {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String POSITION_IDS = "position_ids";

  /** Checks the declared inputs; every problem is named in one message that says what fits. */
  static OnnxInputs check(Path onnxFile, ModelFamily family, Map<String, NodeInfo> declared) {
    List<String> problems = new ArrayList<>();
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!declared.containsKey(required)) {
        problems.add("missing input '" + required + "'");
      }
    }
    for (NodeInfo input : declared.values()) {
      String name = input.getName();
      boolean fillable =
          name.equals(INPUT_IDS)
              || name.equals(ATTENTION_MASK)
              || family.optionalInputs().contains(name);
      if (!fillable) {
        problems.add("input '" + name + "' is not one a " + family.configName() + " model takes");
      } else if (!(input.getInfo() instanceof TensorInfo tensor)
          || tensor.type != OnnxJavaType.INT64
          || tensor.getShape().length != 2) {
        problems.add("input '" + name + "' is " + input.getInfo() + ", not int64 [batch, seq]");
      }
    }
    if (!problems.isEmpty()) {
      List<String> optional = new ArrayList<>(new TreeSet<>(family.optionalInputs()));
      throw new IllegalArgumentException(
          onnxFile
              + ": "
              + String.join("; ", problems)
              + ". A "
              + family.configName()
              + " export takes input_ids, attention_mask"
              + (optional.isEmpty() ? "" : " and optionally " + String.join(", ", optional))
              + " (int64 [batch, seq]); it declares "
              + new TreeSet<>(declared.keySet())
              + ". Re-export with those inputs, or set \"family\" in rerank.json to the model's.");
    }
    return new OnnxInputs(declared.containsKey(TOKEN_TYPE_IDS), declared.containsKey(POSITION_IDS));
  }

  /**
   * Position ids for a padded batch: each real token's position counts from 0 at the row's first
   * real token (so left padding shifts nothing); padding gets 0.
   */
  static long[] positionIds(List<EncodedSequence> rows, int[] offsets, int width) {
    long[] positions = new long[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      int base = r * width + offsets[r];
      for (int t = 0; t < rows.get(r).length(); t++) {
        positions[base + t] = t;
      }
    }
    return positions;
  }
}
