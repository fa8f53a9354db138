package io.rerankflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

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

  /**
   * A model directory of any family: {@code model.onnx} from model, {@code tokenizer.json} from
   * tokenizer (e.g. {@code TinyTokenizers::byteLevelBpe}), and {@code rerank.json} as given.
   *
   * @return the directory
   */
  public static Path directory(
      Path dir, TinyCrossEncoder model, Function<Path, Path> tokenizer, String rerankJson) {
    try {
      Files.createDirectories(dir);
      model.write(dir.resolve("model.onnx"));
      tokenizer.apply(dir);
      Files.writeString(dir.resolve("rerank.json"), rerankJson);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
