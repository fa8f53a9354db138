package io.rerankflow.jobs.run;

import io.rerankflow.schemas.ErrorKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-of-run numbers: requests, scored pairs, error records (in all and by kind), wall time and
 * pairs/s of this run, and the requests an interrupted earlier run had already done (resumed).
 */
public record JobSummary(
    long requests,
    long pairs,
    long errors,
    Map<ErrorKind, Long> errorsByKind,
    Duration wall,
    long resumedRequests) {

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

  public JobSummary(
      long requests, long pairs, long errors, Map<ErrorKind, Long> errorsByKind, Duration wall) {
    this(requests, pairs, errors, errorsByKind, wall, 0);
  }

  /** The same numbers, with {@code resumed} requests done by an earlier run. */
  public JobSummary resuming(long resumed) {
    return new JobSummary(requests, pairs, errors, errorsByKind, wall, resumed);
  }

  /** The numbers as {@link RunState} keeps them for a completed run. */
  Map<String, Object> stored() {
    Map<String, Object> numbers = new LinkedHashMap<>();
    numbers.put("requests", requests);
    numbers.put("pairs", pairs);
    numbers.put("errors", errors);
    Map<String, Long> kinds = new LinkedHashMap<>();
    errorsByKind.forEach((kind, count) -> kinds.put(kind.type(), count));
    numbers.put("errors_by_kind", kinds);
    numbers.put("wall_ms", wall.toMillis());
    numbers.put("resumed_requests", resumedRequests);
    return numbers;
  }

  /** The summary {@link #stored()} kept. */
  static JobSummary stored(Map<String, Object> numbers) {
    Map<ErrorKind, Long> byKind = new EnumMap<>(ErrorKind.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> kinds = (Map<String, Object>) numbers.get("errors_by_kind");
    for (ErrorKind kind : ErrorKind.values()) {
      Object count = kinds.get(kind.type());
      byKind.put(kind, count == null ? 0 : ((Number) count).longValue());
    }
    return new JobSummary(
        counter(numbers, "requests"),
        counter(numbers, "pairs"),
        counter(numbers, "errors"),
        byKind,
        Duration.ofMillis(counter(numbers, "wall_ms")),
        counter(numbers, "resumed_requests"));
  }

  /** The summary of a finished job, from the accumulators of {@link OutputCounters}. */
  public static JobSummary of(Map<String, Object> accumulators, Duration wall) {
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
   * model_not_found) in 2.1 s (5.2 pairs/s, start-up included)}; after a resume the counts are this
   * run's, followed by {@code ; 30 requests resumed from the interrupted run}.
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
            pairsPerSecond())
        + (resumedRequests > 0
            ? "; " + resumedRequests + " requests resumed from the interrupted run"
            : "");
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
