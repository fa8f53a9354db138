package io.rerankflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The scaffolding of the ITCases that run a job on a MiniCluster with tiny models, in one place: a
 * MiniCluster (one TaskManager) started once per test class, optionally with an in-memory metrics
 * reporter, and tiny cross-encoder directories written into the extension's own temporary
 * directory, removed after the class. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final TinyModelCluster CLUSTER = TinyModelCluster.withSlots(2);
 * ... Path model = CLUSTER.crossEncoder("tiny", TINY, 64);
 * }</pre>
 */
public class TinyModelCluster
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {
  private final MiniClusterExtension cluster;
  private final InMemoryReporter reporter;
  private Path directory;

  protected TinyModelCluster(
      Configuration config, int taskManagers, int slotsPerTaskManager, InMemoryReporter reporter) {
    if (reporter != null) {
      reporter.addToConfiguration(config);
    }
    this.reporter = reporter;
    this.cluster =
        new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(config)
                .setNumberTaskManagers(taskManagers)
                .setNumberSlotsPerTaskManager(slotsPerTaskManager)
                .build());
  }

  /** A cluster of one TaskManager with {@code slots} slots. */
  public static TinyModelCluster withSlots(int slots) {
    return new TinyModelCluster(new Configuration(), 1, slots, null);
  }

  /** As {@link #withSlots}, every metric kept by an in-memory reporter (see {@link #metrics}). */
  public static TinyModelCluster withMetrics(int slots) {
    return new TinyModelCluster(
        new Configuration(), 1, slots, InMemoryReporter.createWithRetainedMetrics());
  }

  /**
   * The configuration of a cluster for streaming jobs that must survive failures: a job that fails
   * is restarted (up to 20 times, 200 ms apart), as a production job with checkpoints is.
   */
  protected static Configuration restartingJobs() {
    Configuration config = new Configuration();
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    return config;
  }

  /** The job's {@code numRestarts} gauge (the highest value any registration reported). */
  public long restarts(JobID job) {
    long max = 0;
    for (Metric metric : metrics(job, "numRestarts")) {
      if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number n) {
        max = Math.max(max, n.longValue());
      }
    }
    return max;
  }

  /** The sum of a job's counters named {@code name}, over every subtask and task attempt. */
  public long counter(JobID job, String name) {
    long sum = 0;
    for (Metric metric : metrics(job, name)) {
      if (metric instanceof Counter counter) {
        sum += counter.getCount();
      }
    }
    return sum;
  }

  private List<Metric> metrics(JobID job, String name) {
    List<Metric> found = new ArrayList<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> group :
        metrics().getMetricsByGroup().entrySet()) {
      if (job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))
          && group.getValue().containsKey(name)) {
        found.add(group.getValue().get(name));
      }
    }
    return found;
  }

  /** The in-memory reporter of a cluster made {@link #withMetrics}. */
  public InMemoryReporter metrics() {
    if (reporter == null) {
      throw new IllegalStateException("made withSlots: use TinyModelCluster.withMetrics");
    }
    return reporter;
  }

  /** A tiny cross-encoder's model directory named {@code name}, written now. */
  public Path crossEncoder(String name, TinyCrossEncoder model, int maxLength) {
    return TestModelDirs.crossEncoder(directory().resolve(name), name, model, maxLength);
  }

  /** The extension's temporary directory, for files its tests share. */
  public Path directory() {
    if (directory == null) {
      throw new IllegalStateException("the cluster is not started: register it as a static field");
    }
    return directory;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    directory = Files.createTempDirectory("rerankflow-tiny-models");
    cluster.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      cluster.afterAll(context);
    } finally {
      FileUtils.deleteDirectory(directory.toFile());
      directory = null;
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    cluster.beforeEach(context);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    cluster.afterEach(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    return cluster.supportsParameter(parameter, context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    return cluster.resolveParameter(parameter, context);
  }
}
