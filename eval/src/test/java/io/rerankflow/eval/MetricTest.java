package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricTest {

  @Test
  void parsesEveryKindWithItsCutoffAndMapWithout() {
    assertThat(Metric.parse("NDCG@10")).isEqualTo(Metric.NDCG_AT_10);
    assertThat(Metric.parse("recall@100")).isEqualTo(Metric.RECALL_AT_100);
    assertThat(Metric.parse("MRR@10")).isEqualTo(Metric.MRR_AT_10);
    assertThat(Metric.parse("map")).isEqualTo(Metric.MAP);
    assertThat(Metric.parse("ndcg@3").label()).isEqualTo("NDCG@3");
    assertThat(Metric.parse("recall@5").trecEvalName()).isEqualTo("recall_5");
  }

  @Test
  void labelsParseBackToTheSameMetric() {
    for (Metric metric : Metric.DEFAULTS) {
      assertThat(Metric.parse(metric.label())).isEqualTo(metric);
    }
  }

  @Test
  void rejectsUnknownKindsAndCutoffsNamingTheForms() {
    for (String bad : List.of("p@5", "ndcg@0", "ndcg", "map@10", "recall@x")) {
      assertThatThrownBy(() -> Metric.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected ndcg@K, mrr@K, recall@K (K >= 1) or map");
    }
  }

  @Test
  void aParsedCutoffIsTheDepthTheMetricReads() {
    Map<String, Integer> judgments = Map.of("r", 1);
    List<String> ranking = List.of("n1", "n2", "n3", "r");

    assertThat(Metric.parse("recall@3").compute(ranking, judgments)).isZero();
    assertThat(Metric.parse("recall@4").compute(ranking, judgments)).isEqualTo(1.0);
    assertThat(Metric.parse("mrr@4").compute(ranking, judgments)).isEqualTo(0.25);
  }
}
