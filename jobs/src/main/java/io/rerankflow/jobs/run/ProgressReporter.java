package io.rerankflow.jobs.run;

import io.rerankflow.jobs.files.InputTotals;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Shows how far a bounded run is: requests and pairs done out of the input's totals, pairs/s and an
 * ETA. On a terminal the line is rewritten in place; otherwise each update is a plain line (for
 * logs and CI).
 *
 * <p>The rate is measured from the first update that saw scored pairs, so model loading and job
 * start-up do not drag it down; the ETA is the remaining pairs at that rate.
 */
final class ProgressReporter {
  private final PrintStream out;
  private final boolean terminal;
  private final Supplier<InputTotals> totals;
  private final LongSupplier nanoClock;

  private long firstPairs = -1;
  private long firstNanos;
  private int lastWidth;

  /**
   * @param totals the input's totals, or null while they are still being counted
   */
  ProgressReporter(
      PrintStream out, boolean terminal, Supplier<InputTotals> totals, LongSupplier nanoClock) {
    this.out = out;
    this.terminal = terminal;
    this.totals = totals;
    this.nanoClock = nanoClock;
  }

  /** Shows the counts of the running job. */
  void update(long requests, long pairs) {
    show(line(requests, pairs, false));
  }

  /** Shows the final counts and ends the in-place line. */
  void finish(long requests, long pairs) {
    show(line(requests, pairs, true));
    if (terminal) {
      out.println();
    }
  }

  private void show(String line) {
    if (terminal) {
      // Pad over the previous line's tail: a shorter line would leave its characters behind.
      out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      out.flush();
      lastWidth = line.length();
    } else {
      out.println(line);
    }
  }

  String line(long requests, long pairs, boolean finished) {
    long now = nanoClock.getAsLong();
    if (firstPairs < 0 && pairs > 0) {
      firstPairs = pairs;
      firstNanos = now;
    }
    double seconds = (now - firstNanos) / 1e9;
    double rate = firstPairs >= 0 && seconds > 0 ? (pairs - firstPairs) / seconds : Double.NaN;
    InputTotals total = totals.get();
    StringBuilder line = new StringBuilder("Progress: ");
    if (total == null) {
      line.append(requests).append(" requests, ").append(pairs).append(" pairs");
    } else {
      line.append(requests)
          .append('/')
          .append(total.requests())
          .append(" requests, ")
          .append(pairs)
          .append('/')
          .append(total.pairs())
          .append(" pairs");
      if (total.pairs() > 0) {
        line.append(
            String.format(
                Locale.ROOT, " (%.0f%%)", Math.min(100.0, 100.0 * pairs / total.pairs())));
      }
    }
    if (!Double.isNaN(rate)) {
      line.append(String.format(Locale.ROOT, ", %.1f pairs/s", rate));
      if (!finished && total != null && rate > 0 && pairs < total.pairs()) {
        line.append(", ETA ").append(clock(Math.round((total.pairs() - pairs) / rate)));
      }
    }
    return line.toString();
  }

  private static String clock(long seconds) {
    return seconds >= 3600
        ? String.format(
            Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds % 3600) / 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
