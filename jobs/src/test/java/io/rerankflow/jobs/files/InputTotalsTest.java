package io.rerankflow.jobs.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting the work of a JSONL input before it runs. */
class InputTotalsTest {

  @Test
  void countsNonBlankLinesAndTopLevelPassagesOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("requests.jsonl");
    Files.write(
        file,
        List.of(
            "{\"query\":{\"text\":\"q\",\"passages\":[1,2,3]},\"passages\":[{\"text\":\"a\"},"
                + "{\"text\":\"b\",\"x\":[1]}]}",
            "",
            "not json",
            "{\"model\":\"m\",\"passages\":[{\"text\":\"c\"}]}",
            "[1,2]"));

    assertThat(InputTotals.count(file)).isEqualTo(new InputTotals(4, 3));
  }

  @Test
  void directoryCountsEveryVisibleFileLikeTheFileSource(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("a.jsonl"), List.of("{\"passages\":[{},{}]}"));
    Files.createDirectories(dir.resolve("nested"));
    Files.write(dir.resolve("nested/b.jsonl"), List.of("{\"passages\":[{}]}", "{}"));
    Files.write(dir.resolve(".hidden.jsonl"), List.of("{\"passages\":[{}]}"));

    assertThat(InputTotals.count(dir)).isEqualTo(new InputTotals(3, 3));
  }

  @Test
  void aLineThatIsNotUtf8IsCountedAsTheFileSourceReadsIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.jsonl");
    Files.write(
        file,
        "{\"passages\":[{}]}\n{\"query\":\"caf\u00e9\"}\n{\"passages\":[{},{}]}\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

    assertThat(InputTotals.count(file)).isEqualTo(new InputTotals(3, 3));
  }
}
