package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PairedSignificanceTest {
  private static final PairedSignificance TEST = PairedSignificance.defaults();

  /** 50 queries where the treatment beats the baseline on every query by 0.08 to 0.12. */
  private static double[][] clearlyBetter() {
    double[] baseline = new double[50];
    double[] treatment = new double[50];
    for (int i = 0; i < 50; i++) {
      baseline[i] = 0.3 + 0.01 * (i % 7);
      treatment[i] = baseline[i] + 0.1 + 0.02 * (i % 3 - 1);
    }
    return new double[][] {baseline, treatment};
  }

  /** 40 queries whose differences alternate +0.1 and −0.08: a small, noisy mean gain. */
  private static double[][] noisy() {
    double[] baseline = new double[40];
    double[] treatment = new double[40];
    for (int i = 0; i < 40; i++) {
      baseline[i] = 0.5;
      treatment[i] = 0.5 + (i % 2 == 0 ? 0.1 : -0.08);
    }
    return new double[][] {baseline, treatment};
  }

  @Test
  void identicalRunsGivePValueOne() {
    double[] values = {0.1, 0.5, 0.9, 0.0, 1.0};

    assertThat(TEST.randomisationPValue(values, values.clone())).isEqualTo(1.0);
    assertThat(TEST.bootstrapPValue(values, values.clone())).isEqualTo(1.0);
  }

  @Test
  void clearlyBetterRunOverManyQueriesGivesTheSmallestPossiblePValue() {
    double[][] runs = clearlyBetter();
    // Only the all-same-sign flips (probability 2 / 2^50) are as extreme, and a bootstrap mean of
    // differences centred on 0 with spread ±0.02 cannot reach 0.1: no trial counts.
    double smallest = 1.0 / (PairedSignificance.DEFAULT_TRIALS + 1);

    assertThat(TEST.randomisationPValue(runs[0], runs[1])).isEqualTo(smallest);
    assertThat(TEST.bootstrapPValue(runs[0], runs[1])).isEqualTo(smallest);
  }

  @Test
  void singleQueryCanNeverBeSignificantUnderSignFlipping() {
    // |±d| always equals |d|, so every trial is as extreme as observed.
    assertThat(TEST.randomisationPValue(new double[] {0.2}, new double[] {0.9})).isEqualTo(1.0);
  }

  @Test
  void pValueIsDeterminedBySeed() {
    double[][] runs = noisy();
    PairedSignificance again = new PairedSignificance(PairedSignificance.DEFAULT_TRIALS, 42L);

    double randomisation = TEST.randomisationPValue(runs[0], runs[1]);
    double bootstrap = TEST.bootstrapPValue(runs[0], runs[1]);

    assertThat(again.randomisationPValue(runs[0], runs[1])).isEqualTo(randomisation);
    assertThat(again.bootstrapPValue(runs[0], runs[1])).isEqualTo(bootstrap);
    assertThat(randomisation).isBetween(0.05, 1.0);
    assertThat(bootstrap).isBetween(0.05, 1.0);
  }

  @Test
  void meanDeltaIsMeanOfTreatmentMinusBaseline() {
    double[] baseline = {0.5, 0.4, 0.0};
    double[] treatment = {0.7, 0.3, 0.5};

    double expected = ((0.7 - 0.5) + (0.3 - 0.4) + (0.5 - 0.0)) / 3;
    assertThat(PairedSignificance.meanDelta(baseline, treatment))
        .isCloseTo(expected, within(1e-12));
  }

  @Test
  void unpairedInputsAreRejected() {
    assertThatThrownBy(() -> TEST.randomisationPValue(new double[] {0.1}, new double[] {0.1, 0.2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 1 and 2");
  }
}
