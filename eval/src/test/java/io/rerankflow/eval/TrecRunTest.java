package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrecRunTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static List<String> docIds(TrecRun run, String queryId) {
    return run.ranking(queryId).stream().map(ScoredDoc::docId).toList();
  }

  @Test
  void ordersByScoreDescendingThenDocIdDescendingIgnoringRankColumn() throws IOException {
    // The rank column contradicts the scores on purpose: trec_eval ignores it.
    Path file =
        write(
            "run.txt",
            """
            q1 Q0 d1 1 0.5 bm25
            q1 Q0 d3 2 0.9 bm25
            q1 Q0 d10 3 0.5 bm25
            q1	Q0	d2	4	0.5	bm25
            """);

    TrecRun run = TrecRun.read(file);

    // Ties at 0.5 in descending strcmp order: "d2" > "d10" > "d1".
    assertThat(docIds(run, "q1")).containsExactly("d3", "d2", "d10", "d1");
  }

  @Test
  void tieBreakComparesCodePointsLikeStrcmpOnUtf8() {
    String bmpDoc = "\uFFFF"; // U+FFFF
    String emojiDoc = "\uD83D\uDE00"; // U+1F600, larger as a code point, smaller as UTF-16
    TrecRun run =
        TrecRun.of(Map.of("q", List.of(new ScoredDoc(bmpDoc, 1.0), new ScoredDoc(emojiDoc, 1.0))));

    assertThat(docIds(run, "q")).containsExactly(emojiDoc, bmpDoc);
  }

  @Test
  void malformedLineErrorNamesFileAndLineNumber() throws IOException {
    Path file = write("run.txt", "q1 Q0 d1 1 0.5 tag\n\nq1 Q0 d2 2 0.4\n");

    assertThatThrownBy(() -> TrecRun.read(file))
        .isInstanceOfSatisfying(
            InputFormatException.class, e -> assertThat(e.lineNumber()).isEqualTo(3))
        .hasMessageStartingWith(file + ":3: ")
        .hasMessageContaining("expected 6 whitespace-separated fields");
  }

  @Test
  void nonNumericScoreErrorNamesLine() throws IOException {
    Path file = write("run.txt", "q1 Q0 d1 1 high tag\n");

    assertThatThrownBy(() -> TrecRun.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessage(file + ":1: score 'high' is not a number");
  }

  @Test
  void duplicateDocForQueryIsRejected() throws IOException {
    Path file = write("run.txt", "q1 Q0 d1 1 0.5 tag\nq1 Q0 d1 2 0.4 tag\n");

    assertThatThrownBy(() -> TrecRun.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessage(file + ":2: duplicate doc 'd1' for query 'q1'");
  }
}
