package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrecRunWriterTest {
  @TempDir Path dir;

  @Test
  void writesRanksOneToKInGivenOrder() throws IOException {
    Map<String, List<ScoredDoc>> rankings = new LinkedHashMap<>();
    rankings.put("q1", List.of(new ScoredDoc("a", 0.9), new ScoredDoc("b", 0.5)));
    rankings.put("q2", List.of(new ScoredDoc("c", -1.25)));
    StringWriter out = new StringWriter();

    TrecRunWriter.write(out, rankings, "rerank");

    assertThat(out.toString())
        .isEqualTo("q1 Q0 a 1 0.9 rerank\nq1 Q0 b 2 0.5 rerank\nq2 Q0 c 1 -1.25 rerank\n");
  }

  @Test
  void tiedScoresBecomeUniqueStrictlyDecreasingAndKeepTheGivenOrder() throws IOException {
    // Read back as-is, trec_eval would order these ties z, m, a.
    List<ScoredDoc> ranking =
        List.of(
            new ScoredDoc("a", 1.0),
            new ScoredDoc("z", 1.0),
            new ScoredDoc("m", 1.0),
            new ScoredDoc("b", 0.5));
    Path file = dir.resolve("run.txt");

    TrecRunWriter.write(file, Map.of("q", ranking), "tag");
    List<ScoredDoc> reread = TrecRun.read(file).ranking("q");

    assertThat(reread).extracting(ScoredDoc::docId).containsExactly("a", "z", "m", "b");
    assertThat(reread.get(0).score()).isEqualTo(1.0);
    for (int i = 1; i < reread.size(); i++) {
      assertThat(reread.get(i).score()).isLessThan(reread.get(i - 1).score());
      assertThat(reread.get(i).score()).isCloseTo(ranking.get(i).score(), within(1e-12));
    }
    assertThat(Files.readAllLines(file))
        .extracting(line -> line.split(" ")[3])
        .containsExactly("1", "2", "3", "4");
  }

  @Test
  void scoreAbovePredecessorIsLoweredJustBelowIt() throws IOException {
    StringWriter out = new StringWriter();

    TrecRunWriter.write(
        out, Map.of("q", List.of(new ScoredDoc("a", 0.5), new ScoredDoc("b", 0.7))), "t");

    String expectedSecond = Double.toString(Math.nextDown(0.5)); // 0.49999999999999994
    assertThat(out.toString()).isEqualTo("q Q0 a 1 0.5 t\nq Q0 b 2 " + expectedSecond + " t\n");
  }

  @Test
  void docIdWithWhitespaceIsRejected() {
    Map<String, List<ScoredDoc>> rankings = Map.of("q", List.of(new ScoredDoc("a b", 1.0)));

    assertThatThrownBy(() -> TrecRunWriter.write(new StringWriter(), rankings, "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("doc id 'a b'");
  }

  @Test
  void duplicateDocWithinQueryIsRejected() {
    Map<String, List<ScoredDoc>> rankings =
        Map.of("q", List.of(new ScoredDoc("a", 1.0), new ScoredDoc("a", 0.5)));

    assertThatThrownBy(() -> TrecRunWriter.write(new StringWriter(), rankings, "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate doc 'a' for query 'q'");
  }
}
