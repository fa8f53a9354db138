package io.rerankflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes complete model directories (model.onnx, tokenizer.json, rerank.json) for tests. */
public final class TestModelDirs {
  private TestModelDirs() {}

  /**
   * A tiny WordPiece cross-encoder served as {@code name}.
   *
   * @return the directory
   */
  public static Path crossEncoder(Path dir, String name, TinyCrossEncoder model, int maxLength) {
    try {
      Files.createDirectories(dir);
      model.write(dir.resolve("model.onnx"));
      TinyTokenizers.wordPiece(dir);
      Files.writeString(
          dir.resolve("rerank.json"),
          "{\"name\": \""
              + name
              + "\", \"kind\": \"cross-encoder\", \"max_length\": "
              + maxLength
              + "}");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
