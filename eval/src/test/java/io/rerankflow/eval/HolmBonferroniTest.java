package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HolmBonferroniTest {

  @Test
  void multipliesTheKthSmallestByTheTestsLeftAndKeepsTheOrder() {
    // Sorted: 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> raised to 0.06.
    double[] adjusted = HolmBonferroni.adjust(new double[] {0.01, 0.04, 0.03, 0.005});

    assertThat(adjusted[0]).isCloseTo(0.03, within(1e-12));
    assertThat(adjusted[1]).isCloseTo(0.06, within(1e-12));
    assertThat(adjusted[2]).isCloseTo(0.06, within(1e-12));
    assertThat(adjusted[3]).isCloseTo(0.02, within(1e-12));
  }

  @Test
  void neverExceedsOne() {
    assertThat(HolmBonferroni.adjust(new double[] {0.6, 0.5, 0.9})).containsExactly(1.0, 1.0, 1.0);
  }

  @Test
  void aSingleTestIsUnchanged() {
    assertThat(HolmBonferroni.adjust(new double[] {0.0123})).containsExactly(0.0123);
  }
}
