package io.rerankflow.jobs;

import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;

/** The end-of-run numbers: requests, scored pairs, error records, wall time and pairs/s. */
public record JobSummary(long requests, long pairs, long errors, Duration wall) {

  static JobSummary of(JobExecutionResult result, Duration wall) {
    return new JobSummary(
        counter(result, OutputCounters.REQUESTS),
        counter(result, OutputCounters.PAIRS),
        counter(result, OutputCounters.ERRORS),
        wall);
  }

  private static long counter(JobExecutionResult result, String name) {
    Object value = result.getAccumulatorResult(name);
    return value == null ? 0 : ((Number) value).longValue();
  }

  public double pairsPerSecond() {
    double seconds = wall.toNanos() / 1e9;
    return seconds > 0 ? pairs / seconds : 0;
  }

  /** One line, e.g. {@code 4 requests, 13 pairs scored, 1 errors in 2.1 s (6.2 pairs/s)}. */
  public String line() {
    return String.format(
        Locale.ROOT,
        "%d requests, %d pairs scored, %d errors in %.1f s (%.1f pairs/s, start-up included)",
        requests,
        pairs,
        errors,
        wall.toNanos() / 1e9,
        pairsPerSecond());
  }
}
