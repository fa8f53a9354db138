package io.rerankflow.bench;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for the benchmark's embedded cluster: keeps every counter of the
 * operator's {@code rerankflow} group, so the final batch totals can be read after the job ends.
 */
public final class TotalsReporter implements MetricReporter, MetricReporterFactory {
  private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

  /** The sum over subtasks of the counter named {@code name}, once the job has ended. */
  static long total(String name) {
    return COUNTERS.entrySet().stream()
        .filter(e -> e.getKey().endsWith(".rerankflow." + name))
        .mapToLong(e -> e.getValue().getCount())
        .sum();
  }

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return new TotalsReporter();
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (metric instanceof Counter counter) {
      COUNTERS.put(group.getMetricIdentifier(name), counter);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}
}
