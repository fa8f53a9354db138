package io.rerankflow.jobs;

import io.rerankflow.schemas.RerankOutput;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A test sink that counts what reaches it into one test's {@link Tally} and holds the writers back
 * once a given number of results has passed, so that a test can act while the job is mid-run and
 * the job cannot end before it does.
 */
final class CountingSink implements Sink<RerankOutput> {
  private static final long serialVersionUID = 1L;

  private final SharedWithJob.Key<Tally> tally;

  CountingSink(SharedWithJob.Key<Tally> tally) {
    this.tally = tally;
  }

  @Override
  public SinkWriter<RerankOutput> createWriter(WriterInitContext context) {
    Tally counts = tally.get();
    return new SinkWriter<>() {
      @Override
      public void write(RerankOutput element, Context context) throws InterruptedException {
        counts.arrived();
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }

  /** One test's count of the results that reached the sink, and the gate behind the first few. */
  static final class Tally {
    private final int passing;
    private final AtomicInteger received = new AtomicInteger();
    private final CountDownLatch passed;
    private final CountDownLatch release = new CountDownLatch(1);

    /**
     * @param passing results let through; a writer meeting a later one waits at the gate until
     *     {@link #release} or until its task is cancelled (which interrupts it)
     */
    Tally(int passing) {
      this.passing = passing;
      this.passed = new CountDownLatch(passing);
    }

    private void arrived() throws InterruptedException {
      int n = received.incrementAndGet();
      passed.countDown();
      if (n > passing) {
        release.await();
      }
    }

    /** Waits until {@code passing} results have reached the sink; the bound is for a hang only. */
    boolean awaitPassed(Duration bound) throws InterruptedException {
      return passed.await(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Results that reached the sink, those held at the gate included. */
    int received() {
      return received.get();
    }

    /** Opens the gate: every writer goes on. */
    void release() {
      release.countDown();
    }
  }
}
