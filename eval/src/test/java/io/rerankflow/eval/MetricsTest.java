package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final double EPS = 1e-12;

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void ndcgUsesLinearGainAndLog2Discount() {
    // d3 (rel 1) is never retrieved but still belongs in the ideal ranking.
    Map<String, Integer> judgments = Map.of("d1", 3, "d2", 2, "d3", 1);
    List<String> ranking = List.of("d2", "unjudged", "d1");

    double expected = (2 / log2(2) + 0 + 3 / log2(4)) / (3 / log2(2) + 2 / log2(3) + 1 / log2(4));
    assertThat(Metrics.ndcgAt(10, ranking, judgments)).isCloseTo(expected, within(EPS));
  }

  @Test
  void ndcgCutsRankingAndIdealAtTen() {
    Map<String, Integer> judgments = new HashMap<>();
    for (int i = 1; i <= 12; i++) {
      judgments.put("r" + i, 1);
    }
    List<String> ranking = new ArrayList<>(List.of("r1"));
    for (int i = 2; i <= 10; i++) {
      ranking.add("n" + i);
    }
    ranking.add("r2"); // rank 11: outside the cut

    double idealAtTen = IntStream.rangeClosed(1, 10).mapToDouble(rank -> 1 / log2(rank + 1)).sum();
    double expected = (1 / log2(2)) / idealAtTen;
    assertThat(Metrics.ndcgAt(10, ranking, judgments)).isCloseTo(expected, within(EPS));
  }

  @Test
  void negativeRelevanceCountsAsZeroGainAndNotRelevant() {
    Map<String, Integer> judgments = Map.of("d1", -1, "d2", 2);
    List<String> ranking = List.of("d1", "d2");

    double expectedNdcg = (0 + 2 / log2(3)) / (2 / log2(2));
    assertThat(Metrics.ndcgAt(10, ranking, judgments)).isCloseTo(expectedNdcg, within(EPS));
    // Only d2 is relevant, found at rank 2: AP = (1/2) / 1.
    assertThat(Metrics.averagePrecision(ranking, judgments)).isCloseTo(1.0 / 2, within(EPS));
  }

  @Test
  void reciprocalRankIsZeroWhenFirstRelevantIsAtRankEleven() {
    Map<String, Integer> judgments = Map.of("r", 1);
    List<String> ranking = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      ranking.add("n" + i);
    }
    ranking.add("r");

    assertThat(Metrics.reciprocalRankAt(10, ranking, judgments)).isZero();
  }

  @Test
  void reciprocalRankCountsRelevantAtRankTen() {
    Map<String, Integer> judgments = Map.of("r", 1);
    List<String> ranking = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      ranking.add("n" + i);
    }
    ranking.add("r");

    assertThat(Metrics.reciprocalRankAt(10, ranking, judgments)).isCloseTo(1.0 / 10, within(EPS));
  }

  @Test
  void reciprocalRankSkipsJudgedNonRelevantAndUnjudgedDocs() {
    Map<String, Integer> judgments = Map.of("nonrel", 0, "rel", 2);
    List<String> ranking = List.of("nonrel", "unjudged", "rel");

    assertThat(Metrics.reciprocalRankAt(10, ranking, judgments)).isCloseTo(1.0 / 3, within(EPS));
  }

  @Test
  void recallAt100CountsOnlyTheTopHundred() {
    Map<String, Integer> judgments = Map.of("r1", 1, "r2", 1, "r3", 1);
    List<String> ranking = new ArrayList<>();
    ranking.add("r1");
    for (int i = 2; i <= 99; i++) {
      ranking.add("n" + i);
    }
    ranking.add("r2"); // rank 100
    ranking.add("r3"); // rank 101

    assertThat(Metrics.recallAt(100, ranking, judgments)).isCloseTo(2.0 / 3, within(EPS));
  }

  @Test
  void averagePrecisionDividesByAllRelevantIncludingNeverRetrieved() {
    Map<String, Integer> judgments = Map.of("r1", 1, "r2", 1, "r3", 1, "n", 0);
    List<String> ranking = List.of("r1", "n", "r2", "unjudged"); // r3 never retrieved

    double expected = (1.0 / 1 + 2.0 / 3) / 3;
    assertThat(Metrics.averagePrecision(ranking, judgments)).isCloseTo(expected, within(EPS));
  }

  @Test
  void metricsAreZeroWhenQueryHasNoRelevantDocument() {
    Map<String, Integer> judgments = Map.of("d1", 0);
    List<String> ranking = List.of("d1");

    for (Metric metric : Metric.DEFAULTS) {
      assertThat(metric.compute(ranking, judgments)).as(metric.label()).isZero();
    }
  }
}
