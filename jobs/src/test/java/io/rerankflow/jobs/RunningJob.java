package io.rerankflow.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * The production job, wired from command-line options, running asynchronously on a test cluster.
 */
public final class RunningJob implements AutoCloseable {
  private final JobClient client;

  private RunningJob(JobClient client) {
    this.client = client;
  }

  public static RunningJob start(String name, String... args) throws Exception {
    RerankOptions options = CommandLine.populateCommand(new RerankOptions(), args);
    options.validate();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    new RerankJob(options, System.out).buildFromOptions(env);
    return new RunningJob(env.executeAsync(name));
  }

  /** A job the test wired and submitted itself. */
  public static RunningJob of(JobClient client) {
    return new RunningJob(client);
  }

  public JobID id() {
    return client.getJobID();
  }

  public JobStatus status() throws Exception {
    return client.getJobStatus().get();
  }

  /** Waits for the job to end by itself (a bounded source). */
  public JobStatus awaitTermination(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JobStatus status = status();
    while (!status.isGloballyTerminalState() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      status = status();
    }
    return status;
  }

  /**
   * Stops the job as {@code flink stop --drain} does: its sources end where they are, every request
   * in flight is answered, the sinks commit in a final savepoint (written under {@code
   * savepoints}), and the job finishes. What it has written is then all it will ever write: a test
   * reads "nothing more arrives" as a fact instead of waiting for a while.
   */
  void drain(Path savepoints) throws Exception {
    client
        .stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.DEFAULT)
        .get(3, TimeUnit.MINUTES);
    JobStatus status = awaitTermination(Duration.ofMinutes(3));
    if (status != JobStatus.FINISHED) {
      throw new AssertionError("the drained job did not finish: " + status);
    }
  }

  @Override
  public void close() throws Exception {
    if (!status().isGloballyTerminalState()) {
      client.cancel().get();
      awaitTermination(Duration.ofSeconds(60));
    }
  }
}
