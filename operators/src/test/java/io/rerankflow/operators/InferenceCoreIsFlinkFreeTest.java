package io.rerankflow.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.inference.InferenceEngine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The inference core runs without Flink: no compiled class of {@code io.rerankflow.inference}
 * refers to anything in {@code org.apache.flink}. Its module has no Flink on its class path, so the
 * compiler already refuses an import; this scan also catches a reference that arrives another way
 * (a shaded or reflective name). A class file names every class it uses in its constant pool, so
 * scanning the bytes sees what a look at the import lines would miss. It runs here, beside the
 * Flink adapter, whose classes show the scan can see a Flink reference.
 */
class InferenceCoreIsFlinkFreeTest {
  private static final String FLINK = "org/apache/flink/";

  @Test
  void noInferenceClassRefersToFlink() throws Exception {
    try (FileSystem jar = openIfJar(codeSource(InferenceEngine.class))) {
      List<Path> classes =
          classesUnder(root(jar, InferenceEngine.class), "io/rerankflow/inference");

      assertThat(classes)
          .as("compiled classes of io.rerankflow.inference")
          .anyMatch(c -> c.toString().endsWith("InferenceEngine.class"))
          .hasSizeGreaterThan(20);
      for (Path file : classes) {
        String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(constants).as("%s refers to Flink", file.getFileName()).doesNotContain(FLINK);
      }
    }
  }

  @Test
  void theScanWouldSeeAFlinkReference() throws Exception {
    try (FileSystem jar = openIfJar(codeSource(RerankAsyncFunction.class))) {
      Path operator =
          root(jar, RerankAsyncFunction.class)
              .resolve("io/rerankflow/operators/RerankAsyncFunction.class");

      String constants = new String(Files.readAllBytes(operator), StandardCharsets.ISO_8859_1);

      assertThat(constants).contains(FLINK);
    }
  }

  private static List<Path> classesUnder(Path root, String packageDir) throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve(packageDir))) {
      return files.filter(f -> f.toString().endsWith(".class")).toList();
    }
  }

  /** Where a class was loaded from: a classes directory, or the module's jar in a reactor build. */
  private static Path codeSource(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** The jar as a file system, or null for a directory (try-with-resources skips a null). */
  private static FileSystem openIfJar(Path source) throws IOException {
    return Files.isRegularFile(source) ? FileSystems.newFileSystem(source) : null;
  }

  private static Path root(FileSystem jar, Class<?> type) throws URISyntaxException {
    return jar == null ? codeSource(type) : jar.getPath("/");
  }
}
