package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The inference core runs without Flink: no compiled class of {@code io.rerankflow.inference}
 * refers to anything in {@code org.apache.flink}. A class file names every class it uses in its
 * constant pool (imports, signatures, fully qualified uses alike), so scanning the bytes catches
 * what a look at the import lines would miss.
 */
class InferenceCoreIsFlinkFreeTest {
  private static final String FLINK = "org/apache/flink/";

  @Test
  void noInferenceClassRefersToFlink() throws Exception {
    List<Path> classes = coreClasses();

    assertThat(classes)
        .as("compiled classes of io.rerankflow.inference")
        .anyMatch(c -> c.endsWith("InferenceEngine.class"))
        .hasSizeGreaterThan(20);
    for (Path file : classes) {
      String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertThat(constants).as("%s refers to Flink", file.getFileName()).doesNotContain(FLINK);
    }
  }

  @Test
  void theScanWouldSeeAFlinkReference() throws Exception {
    Path operator = classesRoot().resolve("io/rerankflow/operators/RerankAsyncFunction.class");

    String constants = new String(Files.readAllBytes(operator), StandardCharsets.ISO_8859_1);

    assertThat(constants).contains(FLINK);
  }

  private static List<Path> coreClasses() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.walk(classesRoot().resolve("io/rerankflow/inference"))) {
      return files.filter(f -> f.toString().endsWith(".class")).toList();
    }
  }

  /** The main (not test) output directory, where {@link InferenceEngine} was compiled to. */
  private static Path classesRoot() throws URISyntaxException {
    return Path.of(
        InferenceEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
