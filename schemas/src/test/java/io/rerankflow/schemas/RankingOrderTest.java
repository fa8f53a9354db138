package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankingOrderTest {

  @Test
  void indicesAreSortedByLogitDescending() {
    float[] logits = {0.1f, 2.5f, -1.0f, 1.7f};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(1, 3, 0, 2);
  }

  @Test
  void tiesAreBrokenByTheLowerIndexFirst() {
    float[] logits = {1.0f, 3.0f, 1.0f, 3.0f, 1.0f};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(1, 3, 0, 2, 4);
  }

  @Test
  void allEqualLogitsKeepPassageOrder() {
    float[] logits = new float[20];
    Arrays.fill(logits, -2.25f);

    assertThat(RankingOrder.sortedIndices(logits))
        .containsExactly(IntStream.range(0, 20).toArray());
  }

  @Test
  void positiveAndNegativeZeroAreATieBrokenByIndex() {
    float[] logits = {-0.0f, 0.0f, -0.0f};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(0, 1, 2);
  }

  @Test
  void nanSortsAfterEveryNumber() {
    float[] logits = {Float.NaN, -5.0f, 3.0f, Float.NaN, -100.0f};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(2, 1, 4, 0, 3);
  }

  @Test
  void nanSortsAfterNegativeInfinity() {
    float[] logits = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(2, 1, 0);
  }

  @Test
  void nanTiesKeepPassageOrder() {
    float[] logits = {Float.NaN, Float.NaN, Float.NaN};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(0, 1, 2);
  }

  @Test
  void negativeLogitsSortByValueNotMagnitude() {
    float[] logits = {-3.5f, -0.25f, -10.0f, -1.0f};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(1, 3, 0, 2);
  }

  @Test
  void extremeFiniteValuesSortCorrectly() {
    float[] logits = {Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, 0.0f, -Float.MIN_VALUE};

    assertThat(RankingOrder.sortedIndices(logits)).containsExactly(2, 0, 3, 4, 1);
  }

  @Test
  void singlePassageRanksFirst() {
    assertThat(RankingOrder.sortedIndices(new float[] {-7.0f})).containsExactly(0);
  }

  @Test
  void noPassagesGiveNoIndices() {
    assertThat(RankingOrder.sortedIndices(new float[0])).isEmpty();
  }

  @Test
  void inputLogitsAreNotModified() {
    float[] logits = {0.5f, 2.0f, -1.0f};

    RankingOrder.sortedIndices(logits);

    assertThat(logits).containsExactly(0.5f, 2.0f, -1.0f);
  }

  @Test
  void resultIsAPermutationInRankOrderForRandomLogits() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(512);
      float[] logits = new float[n];
      for (int i = 0; i < n; i++) {
        // Few distinct values so ties are common.
        logits[i] = random.nextInt(8) == 0 ? Float.NaN : (random.nextInt(21) - 10) / 4.0f;
      }

      int[] order = RankingOrder.sortedIndices(logits);

      assertThat(order).hasSize(n);
      assertThat(IntStream.of(order).sorted().toArray())
          .containsExactly(IntStream.range(0, n).toArray());
      for (int k = 1; k < n; k++) {
        float previous = logits[order[k - 1]];
        float current = logits[order[k]];
        boolean rightOrder;
        if (Float.isNaN(previous) || Float.isNaN(current)) {
          rightOrder = Float.isNaN(current) && (!Float.isNaN(previous) || order[k - 1] < order[k]);
        } else {
          rightOrder = previous > current || (previous == current && order[k - 1] < order[k]);
        }
        assertThat(rightOrder)
            .as(
                "rank %d (index %d, %s) before rank %d (index %d, %s)",
                k - 1, order[k - 1], previous, k, order[k], current)
            .isTrue();
      }
    }
  }
}
