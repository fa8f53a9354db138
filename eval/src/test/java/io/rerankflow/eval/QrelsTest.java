package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QrelsTest {
  private static final Map<String, Map<String, Integer>> EXPECTED =
      Map.of("q1", Map.of("d1", 1, "d2", 0), "q2", Map.of("d3", 2));

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void readsBeirTsvWithHeader() throws IOException {
    Path file = write("test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\nq2\td3\t2\n");

    assertThat(Qrels.read(file).asMap()).isEqualTo(EXPECTED);
  }

  @Test
  void readsClassicTrecQrelsWithoutHeader() throws IOException {
    Path file = write("qrels.txt", "# comment\nq1 0 d1 1\nq1 0 d2 0\n\nq2\t0\td3   2\n");

    assertThat(Qrels.read(file).asMap()).isEqualTo(EXPECTED);
  }

  @Test
  void negativeRelevanceIsKeptAsWritten() throws IOException {
    Path file = write("qrels.txt", "q1 0 d1 -1\n");

    assertThat(Qrels.read(file).judgments("q1")).containsEntry("d1", -1);
  }

  @Test
  void nonIntegerRelevanceErrorNamesFileAndLine() throws IOException {
    Path file = write("qrels.txt", "q1 0 d1 1\nq1 0 d2 x\n");

    assertThatThrownBy(() -> Qrels.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessage(file + ":2: relevance 'x' is not an integer");
  }

  @Test
  void lineWithWrongFieldCountErrorNamesFormatAndLine() throws IOException {
    Path file = write("test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\n");

    assertThatThrownBy(() -> Qrels.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessageStartingWith(file + ":3: expected 3 tab-separated fields");
  }

  @Test
  void duplicateJudgmentIsRejected() throws IOException {
    Path file = write("qrels.txt", "q1 0 d1 1\nq1 0 d1 2\n");

    assertThatThrownBy(() -> Qrels.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessage(file + ":2: duplicate judgment for query 'q1', doc 'd1'");
  }

  @Test
  void unknownQueryHasNoJudgments() {
    assertThat(Qrels.of(EXPECTED).judgments("missing")).isEmpty();
  }
}
