package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SystemComparisonTest {
  private static final int QUERIES = 12;

  /** An evaluation with NDCG@10 = value(query index) on q00..q11 (other metrics mirror it). */
  private interface Values {
    double of(int query);
  }

  private static Evaluation system(Values values, int... skipped) {
    TreeMap<String, Map<Metric, Double>> perQuery = new TreeMap<>();
    for (int q = 0; q < QUERIES; q++) {
      final int query = q;
      if (java.util.Arrays.stream(skipped).anyMatch(s -> s == query)) {
        continue;
      }
      Map<Metric, Double> row = new LinkedHashMap<>();
      row.put(Metric.NDCG_AT_10, values.of(q));
      row.put(Metric.MAP, values.of(q) / 2);
      perQuery.put(String.format("q%02d", q), row);
    }
    Map<Metric, Double> means = new LinkedHashMap<>();
    for (Metric metric : List.of(Metric.NDCG_AT_10, Metric.MAP)) {
      means.put(
          metric,
          perQuery.values().stream().mapToDouble(r -> r.get(metric)).average().orElseThrow());
    }
    return new Evaluation(perQuery, means);
  }

  private static SystemComparison threeSystems() {
    Map<String, Evaluation> systems = new LinkedHashMap<>();
    systems.put("first-stage", system(q -> 0.3 + 0.01 * q));
    // Better on every query: only the all-same-sign flips (2 of 4096) are as extreme.
    systems.put("a", system(q -> 0.6 + 0.01 * q));
    // Mixed: a coin-flip difference from the first stage.
    systems.put("b", system(q -> 0.3 + 0.01 * q + (q % 2 == 0 ? 0.05 : -0.05), 11));
    return SystemComparison.compare(systems, PairedSignificance.defaults(), 0.05);
  }

  @Test
  void leavesOutQueriesThatNotEverySystemEvaluated() {
    SystemComparison comparison = threeSystems();

    assertThat(comparison.queryCount()).isEqualTo(11);
    assertThat(comparison.leftOut()).containsExactly("q11");
    assertThat(comparison.evaluations().get("a").perQuery()).doesNotContainKey("q11");
  }

  @Test
  void correctsEachMetricsPairsWithHolm() {
    SystemComparison comparison = threeSystems();

    for (Metric metric : comparison.metrics()) {
      List<SystemComparison.PairTest> tests =
          comparison.tests().stream().filter(t -> t.metric().equals(metric)).toList();
      assertThat(tests).hasSize(3);
      double[] adjusted =
          HolmBonferroni.adjust(
              tests.stream().mapToDouble(SystemComparison.PairTest::pValue).toArray());
      for (int i = 0; i < tests.size(); i++) {
        assertThat(tests.get(i).adjustedPValue()).isEqualTo(adjusted[i]);
      }
    }
    // a beats the first stage on all 11 queries: exact p = 2/2048, times at most 3 pairs.
    SystemComparison.PairTest aVsFirst = comparison.test(Metric.NDCG_AT_10, "a", "first-stage");
    assertThat(aVsFirst.pValue()).isCloseTo(2.0 / 2048, within(0.002));
    assertThat(aVsFirst.adjustedPValue()).isLessThan(0.05);
  }

  @Test
  void superscriptsNameTheSystemsAMeanIsSignificantlyBetterThan() {
    SystemComparison comparison = threeSystems();

    assertThat(comparison.beats("a", Metric.NDCG_AT_10)).containsExactly("first-stage", "b");
    assertThat(comparison.beats("b", Metric.NDCG_AT_10)).isEmpty();
    assertThat(comparison.beats("first-stage", Metric.NDCG_AT_10)).isEmpty();
    assertThat(comparison.cell("a", Metric.NDCG_AT_10, s -> "^" + s)).endsWith("^02");
    assertThat(comparison.toText()).contains("⁰²");
    assertThat(comparison.toLatex()).contains("$^{02}$").contains("\\textbf{");
    assertThat(comparison.toMarkdown()).contains("| 1 | a |").contains("**");
  }

  @Test
  void verdictsSayWhoBeatsWhomWithTheCorrectedP() {
    List<String> verdicts = threeSystems().verdicts();

    assertThat(verdicts).hasSize(2);
    assertThat(verdicts.get(0))
        .startsWith("a beats first-stage on NDCG@10 (+0.3000, p = ")
        .contains("after correction); beats b on NDCG@10");
    assertThat(verdicts.get(1))
        .startsWith("b does not differ significantly from first-stage on NDCG@10")
        .contains("loses to a on NDCG@10");
  }

  @Test
  void jsonHoldsEveryTestWithRawAndCorrectedP() throws Exception {
    JsonNode json = new ObjectMapper().readTree(threeSystems().toJson());

    assertThat(json.path("queries").asInt()).isEqualTo(11);
    assertThat(json.path("tests")).hasSize(6);
    assertThat(json.path("systems").get(1).path("significantlyBetterThan").path("NDCG@10"))
        .hasSize(2);
    assertThat(json.path("leftOutQueries").get(0).asText()).isEqualTo("q11");
    assertThat(json.path("significanceTest").path("correction").asText()).contains("holm");
  }
}
