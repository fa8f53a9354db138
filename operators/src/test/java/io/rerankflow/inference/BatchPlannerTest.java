package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchPlannerTest {

  /** A row with an identity, so equal lengths stay distinguishable. */
  private record Row(int id, int length) {}

  @ParameterizedTest
  @CsvSource({"300,4", "1000,64", "512,1", "64,8", "16384,64"})
  void everyBatchRespectsTheBudgetAndTheSizeCapAndEveryRowLandsOnce(int budget, int cap) {
    List<Row> rows = randomRows(2_000, 1, 200, new Random(budget * 31L + cap));

    List<List<Row>> batches =
        new BatchPlanner(new BatchingSettings(budget, cap)).plan(rows, Row::length);

    assertEveryRowExactlyOnce(rows, batches);
    for (List<Row> batch : batches) {
      assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(cap);
      if (batch.size() > 1) {
        assertThat((long) longest(batch) * batch.size())
            .as("padded cost of %s", batch)
            .isLessThanOrEqualTo(budget);
      }
    }
  }

  @Test
  void shortRowsAreBatchedTogetherNotPaddedToLongOnes() {
    // Input order interleaves short and long rows; planning sorts them.
    List<Row> rows =
        List.of(new Row(0, 100), new Row(1, 5), new Row(2, 100), new Row(3, 5), new Row(4, 5));

    List<List<Row>> batches =
        new BatchPlanner(new BatchingSettings(300, 64)).plan(rows, Row::length);

    // 5 x 3 = 15 <= 300 fits; adding a 100 would cost 100 x 4 = 400 > 300; two 100s cost 200.
    assertThat(batches)
        .containsExactly(
            List.of(new Row(1, 5), new Row(3, 5), new Row(4, 5)),
            List.of(new Row(0, 100), new Row(2, 100)));
  }

  @Test
  void batchesComeOutShortestFirst() {
    List<Row> rows = randomRows(500, 1, 300, new Random(5));

    List<List<Row>> batches =
        new BatchPlanner(new BatchingSettings(1024, 16)).plan(rows, Row::length);

    List<Integer> lengths = new ArrayList<>();
    batches.forEach(batch -> batch.forEach(row -> lengths.add(row.length())));
    assertThat(lengths).isSorted();
  }

  @Test
  void aRowLongerThanTheBudgetGetsABatchOfItsOwn() {
    List<Row> rows = List.of(new Row(0, 10), new Row(1, 500), new Row(2, 10), new Row(3, 600));

    List<List<Row>> batches =
        new BatchPlanner(new BatchingSettings(100, 64)).plan(rows, Row::length);

    assertThat(batches)
        .containsExactly(
            List.of(new Row(0, 10), new Row(2, 10)),
            List.of(new Row(1, 500)),
            List.of(new Row(3, 600)));
  }

  @Test
  void theSizeCapSplitsRowsThatWouldFitTheBudget() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(new Row(i, 3));
    }

    List<List<Row>> batches =
        new BatchPlanner(new BatchingSettings(16384, 4)).plan(rows, Row::length);

    assertThat(batches).extracting(List::size).containsExactly(4, 4, 2);
    assertEveryRowExactlyOnce(rows, batches);
  }

  @Test
  void oneRowMakesOneBatch() {
    List<List<Row>> batches =
        new BatchPlanner(BatchingSettings.DEFAULTS).plan(List.of(new Row(0, 7)), Row::length);

    assertThat(batches).containsExactly(List.of(new Row(0, 7)));
  }

  @Test
  void tenThousandRowsArePlannedUnderTheDefaults() {
    List<Row> rows = randomRows(10_000, 2, 512, new Random(10_000));
    BatchingSettings settings = BatchingSettings.DEFAULTS;

    List<List<Row>> batches = new BatchPlanner(settings).plan(rows, Row::length);

    assertEveryRowExactlyOnce(rows, batches);
    // 10,000 rows at <= 64 per batch need at least 157 batches.
    assertThat(batches).hasSizeGreaterThanOrEqualTo(157);
    for (List<Row> batch : batches) {
      assertThat(batch.size()).isLessThanOrEqualTo(settings.maxBatchSize());
      assertThat((long) longest(batch) * batch.size())
          .isLessThanOrEqualTo(settings.maxBatchTokens());
    }
  }

  @Test
  void noRowsMakeNoBatches() {
    assertThat(new BatchPlanner(BatchingSettings.DEFAULTS).plan(List.<Row>of(), Row::length))
        .isEmpty();
  }

  @Test
  void planningLeavesTheCallersListUntouched() {
    List<Row> rows = new ArrayList<>(List.of(new Row(0, 9), new Row(1, 1), new Row(2, 5)));
    List<Row> before = List.copyOf(rows);

    new BatchPlanner(BatchingSettings.DEFAULTS).plan(rows, Row::length);

    assertThat(rows).isEqualTo(before);
  }

  private static List<Row> randomRows(int count, int minLength, int maxLength, Random random) {
    List<Row> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(new Row(i, minLength + random.nextInt(maxLength - minLength + 1)));
    }
    return rows;
  }

  private static int longest(List<Row> batch) {
    return batch.stream().mapToInt(Row::length).max().orElseThrow();
  }

  private static void assertEveryRowExactlyOnce(List<Row> rows, List<List<Row>> batches) {
    List<Row> planned = new ArrayList<>();
    batches.forEach(planned::addAll);
    assertThat(planned).hasSameSizeAs(rows).containsExactlyInAnyOrderElementsOf(rows);
  }
}
