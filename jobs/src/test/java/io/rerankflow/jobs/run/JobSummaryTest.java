package io.rerankflow.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.ErrorKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The end-of-run line with its error counts by kind. */
class JobSummaryTest {

  @Test
  void lineCountsErrorsByKindInTheEnumsOrderAndLeavesOutKindsThatDidNotOccur() {
    JobSummary summary =
        JobSummary.of(
            Map.of(
                OutputCounters.REQUESTS,
                9L,
                OutputCounters.PAIRS,
                20L,
                OutputCounters.ERRORS,
                4L,
                "rerankflow.errors.input_too_long",
                1L,
                "rerankflow.errors.malformed_json",
                2L,
                "rerankflow.errors.timeout",
                0L,
                "rerankflow.errors.model_not_found",
                1L),
            Duration.ofSeconds(4));

    assertThat(summary.errorsByKind())
        .containsExactly(
            Map.entry(ErrorKind.MALFORMED_JSON, 2L),
            Map.entry(ErrorKind.MODEL_NOT_FOUND, 1L),
            Map.entry(ErrorKind.INPUT_TOO_LONG, 1L));
    assertThat(summary.line())
        .isEqualTo(
            "9 requests, 20 pairs scored, 4 errors (2 malformed_json, 1 model_not_found,"
                + " 1 input_too_long) in 4.0 s (5.0 pairs/s, start-up included)");
  }

  @Test
  void lineWithoutErrorsHasNoBreakdown() {
    JobSummary summary =
        JobSummary.of(
            Map.of(OutputCounters.REQUESTS, 2L, OutputCounters.PAIRS, 6L), Duration.ofSeconds(3));

    assertThat(summary.line())
        .isEqualTo(
            "2 requests, 6 pairs scored, 0 errors in 3.0 s (2.0 pairs/s, start-up included)");
  }

  @Test
  void resumedRunCountsItsOwnWorkAndNamesTheResumedRequests() {
    JobSummary summary =
        JobSummary.of(
                Map.of(OutputCounters.REQUESTS, 12L, OutputCounters.PAIRS, 30L),
                Duration.ofSeconds(3))
            .resuming(18);

    assertThat(summary.line())
        .isEqualTo(
            "12 requests, 30 pairs scored, 0 errors in 3.0 s (10.0 pairs/s, start-up included);"
                + " 18 requests resumed from the interrupted run");
  }

  @Test
  void storedSummaryReadsBackEqual() {
    JobSummary summary =
        new JobSummary(
            5,
            11,
            2,
            Map.of(ErrorKind.MALFORMED_JSON, 1L, ErrorKind.TIMEOUT, 1L),
            Duration.ofMillis(2500),
            3);

    assertThat(JobSummary.stored(summary.stored())).isEqualTo(summary);
  }
}
