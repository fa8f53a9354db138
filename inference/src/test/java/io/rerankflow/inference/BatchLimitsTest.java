package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The batch limits, through the engine's own packer ({@link RowPool}) as the engine uses it. */
class BatchLimitsTest {

  @ParameterizedTest
  @CsvSource({"300,4", "1000,64", "512,1", "64,8", "16384,64"})
  void everyBatchRespectsTheBudgetAndTheSizeCapAndEveryRowLandsOnce(int budget, int cap) {
    List<EncodedSequence> rows = randomRows(2_000, 1, 200, new Random(budget * 31L + cap));

    List<List<EncodedSequence>> batches =
        new BatchLimits(new BatchingSettings(budget, cap)).packAll(rows);

    assertEveryRowExactlyOnce(rows, batches);
    for (List<EncodedSequence> batch : batches) {
      assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(cap);
      if (batch.size() > 1) {
        assertThat((long) longest(batch) * batch.size())
            .as("padded cost of %s", ids(batch))
            .isLessThanOrEqualTo(budget);
      }
    }
  }

  @Test
  void shortRowsAreBatchedTogetherNotPaddedToLongOnes() {
    // Input order interleaves short and long rows; the pool sorts them.
    List<EncodedSequence> rows = List.of(row(0, 100), row(1, 5), row(2, 100), row(3, 5), row(4, 5));

    List<List<EncodedSequence>> batches =
        new BatchLimits(new BatchingSettings(300, 64)).packAll(rows);

    // 5 x 3 = 15 <= 300 fits; adding a 100 would cost 100 x 4 = 400 > 300; two 100s cost 200.
    assertThat(idsOf(batches)).containsExactly(List.of(1, 3, 4), List.of(0, 2));
  }

  @Test
  void rowsArrivingInLengthOrderLeaveInLengthOrder() {
    List<EncodedSequence> rows = randomRows(500, 1, 300, new Random(5));
    rows.sort(Comparator.comparingInt(EncodedSequence::length));

    List<List<EncodedSequence>> batches =
        new BatchLimits(new BatchingSettings(1024, 16)).packAll(rows);

    List<Integer> lengths = new ArrayList<>();
    batches.forEach(batch -> batch.forEach(row -> lengths.add(row.length())));
    assertThat(lengths).isSorted();
  }

  @Test
  void aRowLongerThanTheBudgetGetsABatchOfItsOwn() {
    List<EncodedSequence> rows = List.of(row(0, 10), row(1, 500), row(2, 10), row(3, 600));

    List<List<EncodedSequence>> batches =
        new BatchLimits(new BatchingSettings(100, 64)).packAll(rows);

    assertThat(idsOf(batches)).containsExactly(List.of(0, 2), List.of(1), List.of(3));
  }

  @Test
  void aFewShortRowsAreNotPaddedToALongOne() {
    List<EncodedSequence> rows = List.of(row(0, 400), row(1, 20), row(2, 22), row(3, 21));

    List<List<EncodedSequence>> batches =
        new BatchLimits(new BatchingSettings(100_000, 64)).packAll(rows);

    assertThat(idsOf(batches)).containsExactly(List.of(1, 3, 2), List.of(0));
  }

  @Test
  void theSizeCapSplitsRowsThatWouldFitTheBudget() {
    List<EncodedSequence> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row(i, 3));
    }

    List<List<EncodedSequence>> batches =
        new BatchLimits(new BatchingSettings(16384, 4)).packAll(rows);

    assertThat(batches).extracting(List::size).containsExactly(4, 4, 2);
    assertEveryRowExactlyOnce(rows, batches);
  }

  @Test
  void identicalRowsArePackedOnce() {
    EncodedSequence a = row(7, 12);
    EncodedSequence same = row(7, 12);

    List<List<EncodedSequence>> batches =
        new BatchLimits(BatchingSettings.DEFAULTS).packAll(List.of(a, same, row(8, 12)));

    assertThat(idsOf(batches)).containsExactly(List.of(7, 8));
  }

  @Test
  void tenThousandRowsArePackedUnderTheDefaults() {
    List<EncodedSequence> rows = randomRows(10_000, 2, 512, new Random(10_000));
    BatchingSettings settings = BatchingSettings.DEFAULTS;

    List<List<EncodedSequence>> batches = new BatchLimits(settings).packAll(rows);

    assertEveryRowExactlyOnce(rows, batches);
    // 10,000 rows at <= 8 per batch need at least 1,250 batches.
    assertThat(batches).hasSizeGreaterThanOrEqualTo(1_250);
    for (List<EncodedSequence> batch : batches) {
      assertThat(batch.size()).isLessThanOrEqualTo(settings.maxBatchSize());
      if (batch.size() > 1) {
        assertThat((long) longest(batch) * batch.size())
            .isLessThanOrEqualTo(settings.maxBatchTokens());
      }
    }
  }

  @Test
  void noRowsMakeNoBatches() {
    assertThat(new BatchLimits(BatchingSettings.DEFAULTS).packAll(List.of())).isEmpty();
  }

  @Test
  void packingLeavesTheCallersListUntouched() {
    List<EncodedSequence> rows = new ArrayList<>(List.of(row(0, 9), row(1, 1), row(2, 5)));
    List<EncodedSequence> before = List.copyOf(rows);

    new BatchLimits(BatchingSettings.DEFAULTS).packAll(rows);

    assertThat(rows).containsExactlyElementsOf(before);
  }

  /** A row of {@code length} tokens whose first id names it, so equal lengths stay apart. */
  private static EncodedSequence row(int id, int length) {
    long[] ids = new long[length];
    ids[0] = id;
    return new EncodedSequence(ids, new long[length]);
  }

  private static List<EncodedSequence> randomRows(
      int count, int minLength, int maxLength, Random random) {
    List<EncodedSequence> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(row(i, minLength + random.nextInt(maxLength - minLength + 1)));
    }
    return rows;
  }

  private static int longest(List<EncodedSequence> batch) {
    return batch.stream().mapToInt(EncodedSequence::length).max().orElseThrow();
  }

  private static List<Integer> ids(List<EncodedSequence> batch) {
    return batch.stream().map(row -> (int) row.ids()[0]).toList();
  }

  private static List<List<Integer>> idsOf(List<List<EncodedSequence>> batches) {
    return batches.stream().map(BatchLimitsTest::ids).toList();
  }

  private static void assertEveryRowExactlyOnce(
      List<EncodedSequence> rows, List<List<EncodedSequence>> batches) {
    List<Integer> packed = new ArrayList<>();
    batches.forEach(batch -> packed.addAll(ids(batch)));
    assertThat(packed).containsExactlyInAnyOrderElementsOf(ids(rows));
  }
}
