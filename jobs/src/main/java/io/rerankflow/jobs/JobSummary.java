package io.rerankflow.jobs;

import io.rerankflow.schemas.ErrorKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-of-run numbers: requests, scored pairs, error records (in all and by kind), wall time and
 * pairs/s.
 */
public record JobSummary(
    long requests, long pairs, long errors, Map<ErrorKind, Long> errorsByKind, Duration wall) {

  public JobSummary {
    Map<ErrorKind, Long> nonZero = new EnumMap<>(ErrorKind.class);
    errorsByKind.forEach(
        (kind, count) -> {
          if (count > 0) {
            nonZero.put(kind, count);
          }
        });
    errorsByKind = Collections.unmodifiableMap(nonZero);
  }

  /** The summary of a finished job, from the accumulators of {@link OutputCounters}. */
  static JobSummary of(Map<String, Object> accumulators, Duration wall) {
    Map<ErrorKind, Long> byKind = new EnumMap<>(ErrorKind.class);
    for (ErrorKind kind : ErrorKind.values()) {
      byKind.put(kind, counter(accumulators, OutputCounters.ERRORS_OF_KIND + kind.type()));
    }
    return new JobSummary(
        counter(accumulators, OutputCounters.REQUESTS),
        counter(accumulators, OutputCounters.PAIRS),
        counter(accumulators, OutputCounters.ERRORS),
        byKind,
        wall);
  }

  static long counter(Map<String, Object> accumulators, String name) {
    Object value = accumulators.get(name);
    return value == null ? 0 : ((Number) value).longValue();
  }

  public double pairsPerSecond() {
    double seconds = wall.toNanos() / 1e9;
    return seconds > 0 ? pairs / seconds : 0;
  }

  /**
   * One line, e.g. {@code 7 requests, 11 pairs scored, 4 errors (3 invalid_request, 1
   * model_not_found) in 2.1 s (5.2 pairs/s, start-up included)}.
   */
  public String line() {
    return String.format(
        Locale.ROOT,
        "%d requests, %d pairs scored, %d errors%s in %.1f s (%.1f pairs/s, start-up included)",
        requests,
        pairs,
        errors,
        errorBreakdown(),
        wall.toNanos() / 1e9,
        pairsPerSecond());
  }

  private String errorBreakdown() {
    if (errorsByKind.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    errorsByKind.forEach((kind, count) -> parts.add(count + " " + kind.type()));
    return " (" + String.join(", ", parts) + ")";
  }
}
