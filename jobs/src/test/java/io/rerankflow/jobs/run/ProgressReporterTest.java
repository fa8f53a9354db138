package io.rerankflow.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.jobs.files.InputTotals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress lines: totals, rate from the first scored pairs, ETA, in place or plain. */
class ProgressReporterTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void rateCountsFromTheFirstScoredPairsAndEtaIsTheRemainingPairsAtThatRate() {
    ProgressReporter progress =
        new ProgressReporter(out, false, () -> new InputTotals(40, 1000), clock::get);

    clock.set(5 * SECOND);
    progress.update(0, 0);
    clock.set(7 * SECOND);
    progress.update(4, 100);
    clock.set(17 * SECOND);
    progress.update(20, 600);

    assertThat(text().split("\n"))
        .containsExactly(
            "Progress: 0/40 requests, 0/1000 pairs (0%)",
            "Progress: 4/40 requests, 100/1000 pairs (10%)",
            "Progress: 20/40 requests, 600/1000 pairs (60%), 50.0 pairs/s, ETA 0:08");
  }

  @Test
  void unknownTotalsShowCountsAndRateOnly() {
    ProgressReporter progress = new ProgressReporter(out, false, () -> null, clock::get);

    progress.update(1, 10);
    clock.set(2 * SECOND);
    progress.update(3, 30);

    assertThat(text().split("\n"))
        .containsExactly(
            "Progress: 1 requests, 10 pairs", "Progress: 3 requests, 30 pairs, 10.0 pairs/s");
  }

  @Test
  void terminalRewritesOneLineInPlaceAndEndsItWhenFinished() {
    ProgressReporter progress =
        new ProgressReporter(out, true, () -> new InputTotals(2, 4000), clock::get);

    progress.update(1, 1000);
    clock.set(3600 * SECOND);
    progress.update(1, 2000);
    progress.finish(2, 4000);

    assertThat(text())
        .isEqualTo(
            "\rProgress: 1/2 requests, 1000/4000 pairs (25%)"
                + "\rProgress: 1/2 requests, 2000/4000 pairs (50%), 0.3 pairs/s, ETA 2:00:00"
                + "\rProgress: 2/2 requests, 4000/4000 pairs (100%), 0.8 pairs/s"
                + " ".repeat(12)
                + System.lineSeparator());
  }

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
