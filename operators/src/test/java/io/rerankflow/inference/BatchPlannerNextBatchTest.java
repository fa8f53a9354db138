package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchPlannerNextBatchTest {

  @Test
  void everyRowLandsInExactlyOneBatchWithinTheBudget() {
    Random random = new Random(3);
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(5 + random.nextInt(300));
    }
    BatchPlanner planner = new BatchPlanner(new BatchingSettings(2048, 32));

    List<List<Integer>> batches = planner.plan(rows, Integer::intValue);

    List<Integer> seen = new ArrayList<>();
    for (List<Integer> batch : batches) {
      int longest = batch.stream().mapToInt(Integer::intValue).max().orElseThrow();
      assertThat(batch.size()).isLessThanOrEqualTo(32);
      assertThat((long) longest * batch.size()).isLessThanOrEqualTo(2048);
      seen.addAll(batch);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(rows);
  }

  @Test
  void aFewShortRowsAreNotPaddedToALongOne() {
    BatchPlanner planner = new BatchPlanner(new BatchingSettings(100_000, 64));

    List<List<Integer>> batches = planner.plan(List.of(400, 20, 22, 21), Integer::intValue);

    assertThat(batches).containsExactly(List.of(20, 21, 22), List.of(400));
  }

  @Test
  void aRowOverTheWholeBudgetRunsAlone() {
    BatchPlanner planner = new BatchPlanner(new BatchingSettings(100, 8));

    assertThat(planner.plan(List.of(10, 500, 10), Integer::intValue))
        .containsExactly(List.of(10, 10), List.of(500));
  }
}
