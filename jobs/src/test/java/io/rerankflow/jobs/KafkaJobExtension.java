package io.rerankflow.jobs;

import io.rerankflow.testing.TestBroker;
import io.rerankflow.testing.TinyModelCluster;
import io.rerankflow.testing.TinyModelExpectations;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The scaffolding of the Kafka ITCases, started once per test class: the {@link TinyModelCluster}
 * with restarts and every metric kept, a real broker ({@link TestBroker}), the tiny fp32 model with
 * its failure-free answers ({@link TinyModelExpectations}), and the production job started against
 * them. Register it as a static {@code @RegisterExtension} field; it also injects the MiniCluster
 * ({@code @InjectMiniCluster}).
 */
public final class KafkaJobExtension extends TinyModelCluster {
  private TinyModelExpectations tiny;
  private final Callable<TestBroker> brokers;
  private TestBroker broker;

  private KafkaJobExtension(
      int taskManagers, int slotsPerTaskManager, Callable<TestBroker> brokers) {
    super(
        restartingJobs(),
        taskManagers,
        slotsPerTaskManager,
        InMemoryReporter.createWithRetainedMetrics());
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

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    super.beforeAll(context);
    tiny = new TinyModelExpectations(directory());
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
      super.afterAll(context);
    }
  }
}
