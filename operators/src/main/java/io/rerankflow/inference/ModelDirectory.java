package io.rerankflow.inference;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model on disk: {@code model.onnx}, {@code tokenizer.json} and {@code rerank.json} in one
 * directory, optionally with the export's {@code config.json} and {@code tokenizer_config.json}.
 */
public record ModelDirectory(Path root, ModelSpec spec) implements Serializable {
  public static final String ONNX_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** Opens a directory, failing with a message that names every missing file. */
  public static ModelDirectory open(Path root) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          "model directory " + root + " does not exist (pass a directory or 'default')");
    }
    StringBuilder missing = new StringBuilder();
    for (String file : new String[] {ONNX_FILE, TOKENIZER_FILE, ModelSpec.FILE_NAME}) {
      if (!Files.isRegularFile(root.resolve(file))) {
        missing.append(missing.length() == 0 ? "" : ", ").append(file);
      }
    }
    if (missing.length() > 0) {
      throw new IllegalArgumentException(
          "model directory "
              + root
              + " lacks "
              + missing
              + " (expected model.onnx, tokenizer.json and rerank.json)");
    }
    return new ModelDirectory(
        root, ModelSpec.read(root.resolve(ModelSpec.FILE_NAME), ExportMetadata.read(root)));
  }

  public Path onnxFile() {
    return root.resolve(ONNX_FILE);
  }

  public Path tokenizerFile() {
    return root.resolve(TOKENIZER_FILE);
  }
}
