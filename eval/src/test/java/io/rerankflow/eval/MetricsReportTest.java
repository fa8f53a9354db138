package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MetricsReportTest {

  private static Evaluation singleQuery(
      String queryId, double ndcg, double mrr, double recall, double map) {
    Map<Metric, Double> values = new LinkedHashMap<>();
    values.put(Metric.NDCG_AT_10, ndcg);
    values.put(Metric.MRR_AT_10, mrr);
    values.put(Metric.RECALL_AT_100, recall);
    values.put(Metric.MAP, map);
    return new Evaluation(new TreeMap<>(Map.of(queryId, values)), values);
  }

  @Test
  void textTableHasFixedWidthColumnsAndSignedDelta() {
    // One query: every sign flip is as extreme as observed, so p = 1 exactly.
    MetricsReport report =
        MetricsReport.compare(
            singleQuery("q1", 0.25, 0.5, 0.5, 0.125),
            singleQuery("q1", 0.75, 1.0, 0.5, 0.5),
            PairedSignificance.defaults());

    assertThat(report.toText())
        .isEqualTo(
            """
            metric      first-stage  reranked   delta     p
            NDCG@10     0.2500       0.7500     +0.5000   1.0000
            MRR@10      0.5000       1.0000     +0.5000   1.0000
            Recall@100  0.5000       0.5000     +0.0000   1.0000
            MAP         0.1250       0.5000     +0.3750   1.0000
            queries: 1; p: two-sided paired randomisation test, 10000 trials, seed 42
            """);
  }

  @Test
  void jsonHoldsSummaryTestConfigurationAndPerQueryDeltas() throws Exception {
    MetricsReport report =
        MetricsReport.compare(
            singleQuery("q1", 0.25, 0.5, 0.5, 0.125),
            singleQuery("q1", 0.75, 1.0, 0.5, 0.5),
            PairedSignificance.defaults());

    JsonNode json = new ObjectMapper().readTree(report.toJson());

    assertThat(json.get("queries").asInt()).isEqualTo(1);
    assertThat(json.at("/significanceTest/trials").asInt()).isEqualTo(10_000);
    JsonNode ndcg = json.get("metrics").get(0);
    assertThat(ndcg.get("metric").asText()).isEqualTo("NDCG@10");
    assertThat(ndcg.get("trecEval").asText()).isEqualTo("ndcg_cut.10");
    assertThat(ndcg.get("firstStage").asDouble()).isEqualTo(0.25);
    assertThat(ndcg.get("reranked").asDouble()).isEqualTo(0.75);
    assertThat(ndcg.get("delta").asDouble()).isEqualTo(0.75 - 0.25);
    assertThat(ndcg.get("pValue").asDouble()).isEqualTo(1.0);
    assertThat(json.at("/perQueryDeltas/q1/MAP").asDouble()).isEqualTo(0.5 - 0.125);
  }

  @Test
  void rerankingThatMovesRelevantDocsToTheTopIsSignificant() {
    // 30 queries, one relevant doc each: first stage has it at rank 2, the reranker at rank 1.
    Map<String, Map<String, Integer>> judgments = new HashMap<>();
    Map<String, List<ScoredDoc>> first = new HashMap<>();
    Map<String, List<ScoredDoc>> reranked = new HashMap<>();
    for (int q = 0; q < 30; q++) {
      String queryId = "q" + q;
      judgments.put(queryId, Map.of("rel", 1));
      first.put(queryId, List.of(new ScoredDoc("other", 2.0), new ScoredDoc("rel", 1.0)));
      reranked.put(queryId, List.of(new ScoredDoc("rel", 2.0), new ScoredDoc("other", 1.0)));
    }
    Qrels qrels = Qrels.of(judgments);

    MetricsReport report =
        MetricsReport.compare(
            Evaluation.evaluate(qrels, TrecRun.of(first)),
            Evaluation.evaluate(qrels, TrecRun.of(reranked)),
            PairedSignificance.defaults());

    MetricComparison mrr = report.metrics().get(Metric.DEFAULTS.indexOf(Metric.MRR_AT_10));
    assertThat(mrr.firstStage()).isCloseTo(1.0 / 2, within(1e-12));
    assertThat(mrr.reranked()).isCloseTo(1.0, within(1e-12));
    assertThat(mrr.delta()).isCloseTo(1.0 - 1.0 / 2, within(1e-12));
    assertThat(mrr.pValue()).isLessThan(0.001);
    MetricComparison recall = report.metrics().get(Metric.DEFAULTS.indexOf(Metric.RECALL_AT_100));
    assertThat(recall.delta()).isZero();
    assertThat(recall.pValue()).isEqualTo(1.0);
    assertThat(report.perQueryDeltas()).hasSize(30);
  }

  @Test
  void evaluationsOverDifferentQueriesAreRejected() {
    Evaluation first = singleQuery("q1", 0.5, 0.5, 0.5, 0.5);
    Evaluation reranked = singleQuery("q2", 0.5, 0.5, 0.5, 0.5);

    assertThatThrownBy(() -> MetricsReport.compare(first, reranked, PairedSignificance.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different queries");
  }
}
