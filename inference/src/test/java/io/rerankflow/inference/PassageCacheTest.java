package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PassageCacheTest {
  /** Ids that depend on the text, so a wrong entry cannot pass for a right one. */
  private static int[] idsOf(String text) {
    return text.chars().toArray();
  }

  @Test
  void aTextMetByTwoThreadsAtOnceIsEncodedOnce() throws Exception {
    PassageCache cache = new PassageCache(1 << 20);
    CountDownLatch encoding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger encodes = new AtomicInteger();
    Function<String, int[]> slowOnShared =
        text -> {
          encodes.incrementAndGet();
          if (text.equals("shared passage")) {
            encoding.countDown();
            await(release);
          }
          return idsOf(text);
        };
    FutureTask<PassageCache.Lookup> first =
        new FutureTask<>(() -> cache.lookup(List.of("shared passage"), slowOnShared));
    FutureTask<PassageCache.Lookup> second =
        new FutureTask<>(() -> cache.lookup(List.of("other", "shared passage"), slowOnShared));
    Thread firstThread = new Thread(first);
    Thread secondThread = new Thread(second);
    try {
      firstThread.start();
      assertThat(encoding.await(10, TimeUnit.SECONDS)).isTrue();
      secondThread.start();
      // "other" is encoded at once; then the second thread parks on the first one's entry.
      awaitParkedOnAnotherThreadsEntry(secondThread);
      assertThat(second.isDone()).isFalse();
      release.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS).misses()).isEqualTo(1);
      PassageCache.Lookup waited = second.get(10, TimeUnit.SECONDS);
      assertThat(waited.hits()).isEqualTo(1);
      assertThat(waited.ids()[0]).containsExactly(idsOf("other"));
      assertThat(waited.ids()[1]).containsExactly(idsOf("shared passage"));
      assertThat(encodes).hasValue(2);
    } finally {
      release.countDown();
      firstThread.join(10_000);
      secondThread.join(10_000);
    }
  }

  @Test
  void aFailedEncodeIsNotCachedAndAWaiterEncodesForItself() throws Exception {
    PassageCache cache = new PassageCache(1 << 20);
    CountDownLatch encoding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Function<String, int[]> failing =
        text -> {
          encoding.countDown();
          await(release);
          throw new IllegalStateException("tokenizer failed on " + text);
        };
    AtomicInteger encodes = new AtomicInteger();
    Function<String, int[]> working =
        text -> {
          encodes.incrementAndGet();
          return idsOf(text);
        };
    ExecutorService threads = Executors.newFixedThreadPool(1);
    FutureTask<PassageCache.Lookup> waiter =
        new FutureTask<>(() -> cache.lookup(List.of("bad day"), working));
    Thread waiterThread = new Thread(waiter, "waiter");
    try {
      Future<PassageCache.Lookup> failed =
          threads.submit(() -> cache.lookup(List.of("bad day"), failing));
      assertThat(encoding.await(10, TimeUnit.SECONDS)).isTrue();
      waiterThread.start();
      // The waiter is parked on the failing thread's entry before that encode fails.
      awaitParkedOnAnotherThreadsEntry(waiterThread);
      release.countDown();

      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(IllegalStateException.class)
          .hasRootCauseMessage("tokenizer failed on bad day");
      assertThat(waiter.get(10, TimeUnit.SECONDS).ids()[0]).containsExactly(idsOf("bad day"));
      // Nothing failed stays behind: the next lookup encodes (once) and caches.
      assertThat(cache.lookup(List.of("bad day"), working).ids()[0])
          .containsExactly(idsOf("bad day"));
      assertThat(cache.lookup(List.of("bad day"), working).hits()).isEqualTo(1);
      assertThat(encodes.get()).as("the waiter, for itself, then the next lookup").isEqualTo(2);
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }

  /**
   * Waits until {@code thread} is parked inside the cache waiting for another thread's encode: not
   * merely WAITING (which a thread may be for other reasons) but with that wait on its stack. The
   * bound is for a hang only.
   */
  private static void awaitParkedOnAnotherThreadsEntry(Thread thread) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!parkedInAwaitOrEncode(thread)) {
      assertThat(thread.isAlive()).as("%s still running", thread.getName()).isTrue();
      assertThat(System.nanoTime() - deadline)
          .as("%s parked on another thread's entry", thread.getName())
          .isNegative();
      Thread.onSpinWait();
    }
  }

  private static boolean parkedInAwaitOrEncode(Thread thread) {
    if (thread.getState() != Thread.State.WAITING) {
      return false;
    }
    return Arrays.stream(thread.getStackTrace())
        .anyMatch(
            frame ->
                frame.getClassName().equals(PassageCache.class.getName())
                    && frame.getMethodName().equals("awaitOrEncode"));
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
