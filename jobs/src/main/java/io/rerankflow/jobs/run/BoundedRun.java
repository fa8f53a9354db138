package io.rerankflow.jobs.run;

import io.rerankflow.jobs.files.InputTotals;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs a bounded job to its end while showing its progress.
 *
 * <p>Progress comes from the {@link OutputCounters} accumulators, polled through the {@link
 * JobClient}: the same call works on the embedded cluster of {@code java -jar} and on a real
 * cluster under {@code flink run}. Running tasks report accumulators with their heartbeats, so a
 * cluster refreshes them every {@code heartbeat.interval} (10 s by default); {@link
 * #localConfiguration()} shortens that for the embedded cluster.
 */
public final class BoundedRun {
  private static final Duration TERMINAL_REFRESH = Duration.ofSeconds(1);
  private static final Duration PLAIN_REFRESH = Duration.ofSeconds(10);

  private BoundedRun() {}

  /**
   * Settings for the environment of a bounded run: on the embedded cluster accumulators reach the
   * client every second; a real cluster keeps its own heartbeat settings.
   */
  public static Configuration localConfiguration() {
    Configuration conf = new Configuration();
    conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, TERMINAL_REFRESH);
    return conf;
  }

  /**
   * Submits the job built in {@code env}, reports progress until it ends and returns its result.
   *
   * @param totals the input's totals, possibly still being counted
   * @param resumed what the interrupted run this one resumes had done; progress counts on from it
   */
  public static JobExecutionResult execute(
      StreamExecutionEnvironment env,
      String jobName,
      CompletableFuture<InputTotals> totals,
      RunState.Done resumed,
      PrintStream console)
      throws Exception {
    boolean terminal = System.console() != null;
    ProgressReporter progress =
        new ProgressReporter(console, terminal, () -> totalsIfKnown(totals), System::nanoTime);
    Duration refresh = terminal ? TERMINAL_REFRESH : PLAIN_REFRESH;
    JobClient job = env.executeAsync(jobName);
    CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
    while (true) {
      try {
        JobExecutionResult done = result.get(refresh.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Object> counters = done.getAllAccumulatorResults();
        progress.finish(
            resumed.requests() + JobSummary.counter(counters, OutputCounters.REQUESTS),
            resumed.pairs() + JobSummary.counter(counters, OutputCounters.PAIRS));
        return done;
      } catch (TimeoutException stillRunning) {
        Map<String, Object> counters = runningCounters(job, refresh);
        if (counters != null) {
          progress.update(
              resumed.requests() + JobSummary.counter(counters, OutputCounters.REQUESTS),
              resumed.pairs() + JobSummary.counter(counters, OutputCounters.PAIRS));
        }
      }
    }
  }

  /** The running job's counters, or null when the cluster cannot answer yet (still starting). */
  private static Map<String, Object> runningCounters(JobClient job, Duration wait)
      throws InterruptedException {
    try {
      return job.getAccumulators().get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  private static InputTotals totalsIfKnown(CompletableFuture<InputTotals> totals) {
    return totals.isDone() && !totals.isCompletedExceptionally() ? totals.join() : null;
  }
}
