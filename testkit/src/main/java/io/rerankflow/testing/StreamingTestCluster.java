package io.rerankflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * A MiniCluster for streaming ITCases: restarts after failures (fixed delay, so a test sees the
 * restore), and every metric kept in an in-memory reporter so tests can read counters and {@code
 * numRestarts}.
 */
public final class StreamingTestCluster {
  private StreamingTestCluster() {}

  public static MiniClusterExtension extension(
      InMemoryReporter reporter, int taskManagers, int slotsPerTaskManager) {
    Configuration config = new Configuration();
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(reporter.addToConfiguration(config))
            .setNumberTaskManagers(taskManagers)
            .setNumberSlotsPerTaskManager(slotsPerTaskManager)
            .build());
  }

  /** The job's {@code numRestarts} gauge (the highest value any registration reported). */
  public static long restarts(InMemoryReporter reporter, JobID job) {
    long max = 0;
    for (Metric metric : metrics(reporter, job, "numRestarts")) {
      if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number n) {
        max = Math.max(max, n.longValue());
      }
    }
    return max;
  }

  /** The sum of a job's counters named {@code name}, over every subtask and task attempt. */
  public static long counter(InMemoryReporter reporter, JobID job, String name) {
    long sum = 0;
    for (Metric metric : metrics(reporter, job, name)) {
      if (metric instanceof Counter counter) {
        sum += counter.getCount();
      }
    }
    return sum;
  }

  private static List<Metric> metrics(InMemoryReporter reporter, JobID job, String name) {
    List<Metric> found = new ArrayList<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> group :
        reporter.getMetricsByGroup().entrySet()) {
      if (job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))
          && group.getValue().containsKey(name)) {
        found.add(group.getValue().get(name));
      }
    }
    return found;
  }
}
