package io.rerankflow.jobs;

import io.rerankflow.testing.StreamingTestCluster;
import io.rerankflow.testing.TestBroker;
import io.rerankflow.testing.TinyModelExpectations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The scaffolding of the Kafka ITCases, started once per test class: a MiniCluster that restarts
 * failed jobs and keeps every metric ({@link StreamingTestCluster}), a real broker ({@link
 * TestBroker}), the tiny fp32 model with its failure-free answers ({@link TinyModelExpectations}),
 * and the production job started against them. Register it as a static {@code @RegisterExtension}
 * field; it also injects the MiniCluster ({@code @InjectMiniCluster}).
 */
public final class KafkaJobExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {
  private final InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
  private final MiniClusterExtension cluster;
  private Path modelRoot;
  private TinyModelExpectations tiny;
  private final Callable<TestBroker> brokers;
  private TestBroker broker;

  private KafkaJobExtension(
      int taskManagers, int slotsPerTaskManager, Callable<TestBroker> brokers) {
    cluster = StreamingTestCluster.extension(reporter, taskManagers, slotsPerTaskManager);
    this.brokers = brokers;
  }

  public static KafkaJobExtension withTaskManagers(int taskManagers, int slotsPerTaskManager) {
    return new KafkaJobExtension(taskManagers, slotsPerTaskManager, TestBroker::start);
  }

  /** The same scaffolding around another broker, e.g. one that asks for credentials. */
  public static KafkaJobExtension withBroker(
      int taskManagers, int slotsPerTaskManager, Callable<TestBroker> brokers) {
    return new KafkaJobExtension(taskManagers, slotsPerTaskManager, brokers);
  }

  public TestBroker broker() {
    return broker;
  }

  public TinyModelExpectations tiny() {
    return tiny;
  }

  /**
   * The production job on this cluster, wired from {@code args} plus what every Kafka ITCase gives:
   * this broker, the tiny model and a checkpoint every 500 ms.
   */
  public RunningJob startJob(String name, String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--model",
                tiny.modelDir().toString(),
                "--checkpoint-interval",
                "500ms"));
    all.addAll(List.of(args));
    return RunningJob.start(name, all.toArray(String[]::new));
  }

  /** The job's {@code numRestarts}. */
  public long restarts(JobID job) {
    return StreamingTestCluster.restarts(reporter, job);
  }

  /** The sum of the job's counters named {@code name}. */
  public long counter(JobID job, String name) {
    return StreamingTestCluster.counter(reporter, job, name);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    cluster.beforeAll(context);
    modelRoot = Files.createTempDirectory("rerankflow-kafka-it");
    tiny = new TinyModelExpectations(modelRoot);
    broker = brokers.call();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (tiny != null) {
        tiny.close();
      }
      if (broker != null) {
        broker.close();
      }
    } finally {
      cluster.afterAll(context);
      deleteRecursively(modelRoot);
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
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster.supportsParameter(parameter, context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster.resolveParameter(parameter, context);
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
