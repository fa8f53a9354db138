package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationTest {
  private static final double EPS = 1e-12;

  @Test
  void queriesWithoutRelevantDocumentsAreSkipped() {
    Qrels qrels = Qrels.of(Map.of("q1", Map.of("d1", 1), "q2", Map.of("d1", 0)));
    TrecRun run =
        TrecRun.of(
            Map.of(
                "q1", List.of(new ScoredDoc("d1", 1.0)),
                "q2", List.of(new ScoredDoc("d1", 1.0))));

    Evaluation evaluation = Evaluation.evaluate(qrels, run);

    assertThat(evaluation.perQuery()).containsOnlyKeys("q1");
    assertThat(evaluation.mean(Metric.NDCG_AT_10)).isCloseTo(1.0, within(EPS));
  }

  @Test
  void qrelsQueriesMissingFromRunAreLeftOutOfTheMean() {
    Qrels qrels = Qrels.of(Map.of("q1", Map.of("d1", 1), "q2", Map.of("d2", 1)));
    TrecRun run = TrecRun.of(Map.of("q1", List.of(new ScoredDoc("d1", 1.0))));

    Evaluation evaluation = Evaluation.evaluate(qrels, run);

    // trec_eval without -c: mean over q1 only, 1.0 rather than (1.0 + 0) / 2.
    assertThat(evaluation.queryCount()).isEqualTo(1);
    assertThat(evaluation.mean(Metric.MAP)).isCloseTo(1.0, within(EPS));
  }

  @Test
  void runQueriesAbsentFromQrelsAreIgnored() {
    Qrels qrels = Qrels.of(Map.of("q1", Map.of("d1", 1)));
    TrecRun run =
        TrecRun.of(
            Map.of(
                "q1", List.of(new ScoredDoc("d1", 1.0)),
                "unjudged-query", List.of(new ScoredDoc("d9", 1.0))));

    assertThat(Evaluation.evaluate(qrels, run).perQuery()).containsOnlyKeys("q1");
  }

  @Test
  void tiedScoresAreEvaluatedInTrecEvalOrder() {
    // Equal scores: trec_eval ranks the larger doc id first, so "b" is rank 1 and "a" rank 2.
    Qrels qrels = Qrels.of(Map.of("q1", Map.of("a", 1)));
    TrecRun run =
        TrecRun.of(Map.of("q1", List.of(new ScoredDoc("a", 0.5), new ScoredDoc("b", 0.5))));

    Evaluation evaluation = Evaluation.evaluate(qrels, run);

    assertThat(evaluation.mean(Metric.MRR_AT_10)).isCloseTo(1.0 / 2, within(EPS));
  }

  @Test
  void meansAverageThePerQueryValuesInQueryIdOrder() {
    Qrels qrels = Qrels.of(Map.of("q2", Map.of("r", 1), "q1", Map.of("r", 1)));
    TrecRun run =
        TrecRun.of(
            Map.of(
                "q2", List.of(new ScoredDoc("n", 2.0), new ScoredDoc("r", 1.0)),
                "q1", List.of(new ScoredDoc("r", 2.0), new ScoredDoc("n", 1.0))));

    Evaluation evaluation = Evaluation.evaluate(qrels, run);

    assertThat(evaluation.values(Metric.MRR_AT_10)).containsExactly(1.0 / 1, 1.0 / 2);
    assertThat(evaluation.mean(Metric.MRR_AT_10)).isCloseTo((1.0 / 1 + 1.0 / 2) / 2, within(EPS));
  }

  @Test
  void evaluationWithNoScorableQueryIsAnError() {
    Qrels qrels = Qrels.of(Map.of("q1", Map.of("d1", 0)));
    TrecRun run = TrecRun.of(Map.of("q1", List.of(new ScoredDoc("d1", 1.0))));

    assertThatThrownBy(() -> Evaluation.evaluate(qrels, run))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no query has both run results and a relevant judgment");
  }
}
