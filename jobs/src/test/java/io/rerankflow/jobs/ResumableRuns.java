package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.jobs.run.RunState;
import io.rerankflow.testing.JarProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resumable file run in a child JVM, as its command starts it: killed with SIGKILL once a
 * checkpoint has completed and some results are committed, then run again to the end, which must
 * say it resumed. Shared by the rerank and the evaluate commands' resume tests.
 */
public final class ResumableRuns {
  public static final Duration START_BOUND = Duration.ofMinutes(3);
  public static final Duration RUN_BOUND = Duration.ofMinutes(6);
  private static final Pattern RESUMING =
      Pattern.compile(
          "(?m)^Resuming: (\\d+) requests \\((\\d+) pairs\\) already done, from checkpoint chk-\\d+");
  private static final Pattern SUMMARY =
      Pattern.compile("(?m)^Summary: (\\d+) requests, (\\d+) pairs scored");

  private ResumableRuns() {}

  /**
   * Waits until a checkpoint has completed and results are committed, kills the run, and returns
   * how many results it had committed: some, not all.
   */
  public static int killAfterACommittedCheckpoint(JarProcess run, Path out, Rows rows, int lines)
      throws Exception {
    try (run) {
      boolean reached =
          run.awaitWhileRunning(
              () -> {
                try {
                  return RunState.in(out).latestCheckpoint().isPresent() && rows.count() > 0;
                } catch (IOException e) {
                  return false;
                }
              },
              START_BOUND);
      assertThat(reached).as("a committed checkpoint while running:\n%s", run.console()).isTrue();
      run.kill();
    }
    int committed = rows.count();
    assertThat(committed).as("results committed before the kill").isBetween(1, lines - 1);
    return committed;
  }

  public static String resumeToTheEnd(JarProcess run) throws Exception {
    try (run) {
      assertThat(run.exitCode(RUN_BOUND)).as(run.console()).isZero();
      return run.console();
    }
  }

  /**
   * The re-run resumed what was committed and scored fewer pairs than the input's {@code pairs}.
   */
  public static void assertResumed(String console, int committed, int lines, long pairs) {
    Matcher resuming = RESUMING.matcher(console);
    assertThat(resuming.find()).as(console).isTrue();
    assertThat(Long.parseLong(resuming.group(1)))
        .as("requests done at the checkpoint resumed from")
        .isBetween((long) committed, (long) lines - 1);
    Matcher summary = SUMMARY.matcher(console);
    assertThat(summary.find()).as(console).isTrue();
    assertThat(Long.parseLong(summary.group(1)) + Long.parseLong(resuming.group(1)))
        .as("requests of this run and resumed ones")
        .isEqualTo(lines);
    assertThat(Long.parseLong(summary.group(2))).as("pairs scored by the re-run").isLessThan(pairs);
    assertThat(console)
        .contains("Progress: " + lines + "/" + lines + " requests")
        .contains("requests resumed from the interrupted run");
  }

  /** The summary line's request count, or fails when there is none. */
  public static long summaryRequests(String console) {
    Matcher summary = SUMMARY.matcher(console);
    assertThat(summary.find()).as(console).isTrue();
    return Long.parseLong(summary.group(1));
  }

  /** Rows of a result format, read from the files committed so far. */
  @FunctionalInterface
  public interface Rows {
    int count() throws IOException;
  }
}
