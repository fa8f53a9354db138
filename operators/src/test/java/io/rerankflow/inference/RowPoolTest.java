package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowPoolTest {
  private static final BatchPlanner WIDE = new BatchPlanner(new BatchingSettings(1 << 20, 1000));

  private static EncodedSequence row(long... ids) {
    return new EncodedSequence(ids, new long[ids.length]);
  }

  @Test
  void identicalRowsAreTakenOnceAndKeepEverySubscriber() {
    RowPool<String> pool = new RowPool<>();
    RowPool.Row<String> first = pool.add(row(1, 2, 3), "a", 0);
    assertThat(pool.add(row(1, 2, 3), "b", 4)).isSameAs(first);
    assertThat(pool.add(row(1, 2, 4), "b", 5)).isNotSameAs(first);

    List<RowPool.Row<String>> batch = pool.take(WIDE, s -> false);

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
    RowPool.Row<String> running = pool.take(WIDE, s -> false).get(0);

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
    for (RowPool.Row<String> r : pool.take(WIDE, s -> false)) {
      order.add(r.subscriber(0));
    }

    assertThat(order).containsExactly("short-1", "short-2", "long");
  }

  @Test
  void takeStopsWhereThePlannerRefusesAndLeavesTheRestWaiting() {
    RowPool<String> pool = new RowPool<>();
    for (int i = 0; i < 5; i++) {
      pool.add(row(i, i), "r" + i, 0);
    }
    BatchPlanner twoRows = new BatchPlanner(new BatchingSettings(1000, 2));

    assertThat(pool.take(twoRows, s -> false)).hasSize(2);
    assertThat(pool.waitingRows()).isEqualTo(3);
    assertThat(pool.take(twoRows, s -> false)).hasSize(2);
    assertThat(pool.take(twoRows, s -> false)).hasSize(1);
    assertThat(pool.isEmpty()).isTrue();
  }

  @Test
  void rowsWhoseSubscribersAreAllDoneAreDropped() {
    RowPool<String> pool = new RowPool<>();
    pool.add(row(1), "done", 0);
    pool.add(row(2), "live", 0);
    pool.add(row(2, 2), "done", 1);

    List<RowPool.Row<String>> batch = pool.take(WIDE, "done"::equals);

    assertThat(batch).hasSize(1);
    assertThat(batch.get(0).subscriber(0)).isEqualTo("live");
    assertThat(pool.isEmpty()).isTrue();
  }
}
