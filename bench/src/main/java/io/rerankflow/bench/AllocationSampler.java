package io.rerankflow.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated on the Java heap by all threads while it runs, sampled every 50 ms from each live
 * thread's own counter: a thread that ends between two samples loses at most its last 50 ms, so the
 * figure is a slight underestimate.
 */
final class AllocationSampler {
  private static final long PERIOD_MILLIS = 50;

  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> startBytes = new HashMap<>();
  private final Map<Long, Long> lastBytes = new HashMap<>();
  private final Thread sampler = new Thread(this::loop, "allocation-sampler");
  private volatile boolean running = true;

  void start() {
    threads.setThreadAllocatedMemoryEnabled(true);
    sample(true);
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Stops sampling; the bytes allocated since {@link #start}. */
  long stop() throws InterruptedException {
    running = false;
    sampler.join();
    sample(false);
    long total = 0;
    for (Map.Entry<Long, Long> e : lastBytes.entrySet()) {
      total += e.getValue() - startBytes.getOrDefault(e.getKey(), 0L);
    }
    return total;
  }

  private void loop() {
    while (running) {
      sample(false);
      try {
        Thread.sleep(PERIOD_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void sample(boolean first) {
    long[] ids = threads.getAllThreadIds();
    long[] bytes = threads.getThreadAllocatedBytes(ids);
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] < 0) {
        continue;
      }
      if (first) {
        startBytes.put(ids[i], bytes[i]);
      }
      lastBytes.put(ids[i], bytes[i]);
    }
  }
}
