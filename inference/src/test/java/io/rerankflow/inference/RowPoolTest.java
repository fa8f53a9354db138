package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowPoolTest {
  private static final BatchLimits WIDE = new BatchLimits(new BatchingSettings(1 << 20, 1000));

  private static EncodedSequence row(long... ids) {
    return new EncodedSequence(ids, new long[ids.length]);
  }

  @Test
  void identicalRowsAreTakenOnceAndKeepEverySubscriber() {
    RowPool<String> pool = new RowPool<>();
    RowPool.Row<String> first = pool.add(row(1, 2, 3), "a", 0);
    assertThat(pool.add(row(1, 2, 3), "b", 4)).isSameAs(first);
    assertThat(pool.add(row(1, 2, 4), "b", 5)).isNotSameAs(first);

    List<RowPool.Row<String>> batch = pool.take(WIDE);

    assertThat(batch).hasSize(2);
    RowPool.Row<String> shared = batch.get(0);
    assertThat(shared.subscriberCount()).isEqualTo(2);
    assertThat(List.of(shared.subscriber(0), shared.subscriber(1))).containsExactly("a", "b");
    assertThat(List.of(shared.position(0), shared.position(1))).containsExactly(0, 4);
    assertThat(pool.isEmpty()).isTrue();
  }

  @Test
  void aRowStillRunningCollectsLaterIdenticalRowsUntilReleased() {
    RowPool<String> pool = new RowPool<>();
    pool.add(row(7, 7), "a", 0);
    RowPool.Row<String> running = pool.take(WIDE).get(0);

    assertThat(running.taken()).isTrue();
    assertThat(pool.add(row(7, 7), "b", 1)).isSameAs(running);
    assertThat(running.subscriberCount()).isEqualTo(2);
    assertThat(pool.isEmpty()).isTrue();

    pool.release(running);
    RowPool.Row<String> again = pool.add(row(7, 7), "c", 2);
    assertThat(again).isNotSameAs(running);
    assertThat(again.taken()).isFalse();
  }

  @Test
  void rowsLeaveShortestFirstAndInArrivalOrderWithinALength() {
    RowPool<String> pool = new RowPool<>();
    pool.add(row(1, 1, 1, 1, 1), "long", 0);
    pool.add(row(2, 2, 2, 2), "short-1", 0);
    pool.add(row(3, 3, 3, 3), "short-2", 0);

    List<String> order = new ArrayList<>();
    for (RowPool.Row<String> r : pool.take(WIDE)) {
      order.add(r.subscriber(0));
    }

    assertThat(order).containsExactly("short-1", "short-2", "long");
  }

  @Test
  void takeStopsWhereTheLimitsRefuseAndLeavesTheRestWaiting() {
    RowPool<String> pool = new RowPool<>();
    for (int i = 0; i < 5; i++) {
      pool.add(row(i, i), "r" + i, 0);
    }
    BatchLimits twoRows = new BatchLimits(new BatchingSettings(1000, 2));

    assertThat(pool.take(twoRows)).hasSize(2);
    assertThat(pool.waitingRows()).isEqualTo(3);
    assertThat(pool.take(twoRows)).hasSize(2);
    assertThat(pool.take(twoRows)).hasSize(1);
    assertThat(pool.isEmpty()).isTrue();
  }

  @Test
  void aWaitingRowNobodyWantsAnyMoreLeavesThePool() {
    RowPool<String> pool = new RowPool<>();
    RowPool.Row<String> alone = pool.add(row(1), "gone", 0);
    RowPool.Row<String> shared = pool.add(row(2), "live", 0);
    pool.add(row(2), "gone", 1);
    pool.add(row(2), "gone", 2);

    pool.unsubscribe(alone, "gone");
    pool.unsubscribe(shared, "gone");

    assertThat(pool.waitingRows()).isEqualTo(1);
    List<RowPool.Row<String>> batch = pool.take(WIDE);
    assertThat(batch).containsExactly(shared);
    assertThat(shared.subscriberCount()).isEqualTo(1);
    assertThat(shared.subscriber(0)).isEqualTo("live");
    assertThat(shared.position(0)).isZero();
    assertThat(pool.isEmpty()).isTrue();
    // gone from the pool entirely: an identical row later is a new one
    assertThat(pool.add(row(1), "again", 0)).isNotSameAs(alone);
  }

  @Test
  void unsubscribingFromARowAlreadyInABatchLeavesItRunning() {
    RowPool<String> pool = new RowPool<>();
    RowPool.Row<String> running = pool.add(row(4, 4), "a", 0);
    pool.take(WIDE);

    pool.unsubscribe(running, "a");

    assertThat(running.subscriberCount()).isEqualTo(1);
    assertThat(pool.add(row(4, 4), "b", 0)).isSameAs(running);
  }

  @Test
  void aLongRowWaitsAtMostTheBoundUnderASteadyStreamOfShortRows() {
    int bound = 3;
    RowPool<String> pool = new RowPool<>(bound);
    // Each batch holds at most two rows, and two fresh short rows arrive before every batch, so
    // shortest-first alone would never reach the long row.
    BatchLimits twoRows = new BatchLimits(new BatchingSettings(1 << 20, 2));
    long next = 1;
    pool.add(row(next++, next++), "short", 0);
    pool.add(row(next++, next++), "short", 0);
    pool.add(longRow(40), "long", 0);
    int takenAt = -1;
    for (int batch = 1; batch <= 50 && takenAt < 0; batch++) {
      pool.add(row(next++, next++), "short", 0);
      pool.add(row(next++, next++), "short", 0);
      for (RowPool.Row<String> taken : pool.take(twoRows)) {
        if (taken.subscriber(0).equals("long")) {
          takenAt = batch;
        }
      }
    }

    assertThat(takenAt).as("batch that took the long row").isEqualTo(bound + 1);
  }

  @Test
  void anOverdueRowGoesFirstWithTheLongestRowsThatFitUnderIt() {
    RowPool<String> pool = new RowPool<>(0);
    pool.add(longRow(10), "oldest", 0);
    pool.add(longRow(9), "just-shorter", 0);
    pool.add(longRow(2), "short", 0);
    pool.add(longRow(12), "longer", 0);

    List<String> first = new ArrayList<>();
    pool.take(WIDE).forEach(r -> first.add(r.subscriber(0)));

    // 10 + 9 pads to 20 <= 1.25 x 19; the 2 would pad to 30 > 1.25 x 21, the 12 would pad the rest.
    assertThat(first).containsExactly("oldest", "just-shorter");
    assertThat(pool.waitingRows()).isEqualTo(2);
  }

  @Test
  void withoutOverdueRowsBatchesComeOutShortestFirst() {
    RowPool<String> pool = new RowPool<>(1_000);
    for (int length = 18; length >= 10; length--) {
      pool.add(longRow(length), "len" + length, 0);
    }
    BatchLimits threeRows = new BatchLimits(new BatchingSettings(1 << 20, 3));

    List<Integer> lengths = new ArrayList<>();
    while (!pool.isEmpty()) {
      pool.take(threeRows).forEach(r -> lengths.add(r.sequence().length()));
    }

    assertThat(lengths).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18);
  }

  private static EncodedSequence longRow(int length) {
    long[] ids = new long[length];
    Arrays.fill(ids, 1_000L + length);
    return row(ids);
  }
}
