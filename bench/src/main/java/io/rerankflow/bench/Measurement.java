package io.rerankflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One mode's numbers, passed from the measuring child process to the parent as one line.
 *
 * @param mode limit, peer, djl or pipeline
 * @param pairs pairs scored in the timed part
 * @param seconds wall time of the timed part
 * @param batches batches run (0 where unknown)
 * @param rows rows in them
 * @param realTokens tokens of those rows
 * @param paddedTokens tokens computed, padding included
 * @param peakRssKb the process's peak resident set (VmHWM)
 * @param note what shape was used, start-up time, and the like
 */
record Measurement(
    String mode,
    long pairs,
    double seconds,
    long batches,
    long rows,
    long realTokens,
    long paddedTokens,
    long peakRssKb,
    String note) {
  static final String PREFIX = "RESULT ";

  double pairsPerSecond() {
    return seconds > 0 ? pairs / seconds : 0;
  }

  double paddingWaste() {
    return realTokens > 0 ? (double) paddedTokens / realTokens : Double.NaN;
  }

  double meanRows() {
    return batches > 0 ? (double) rows / batches : Double.NaN;
  }

  String line() {
    return PREFIX
        + String.join(
            "\t",
            mode,
            Long.toString(pairs),
            String.format(Locale.ROOT, "%.3f", seconds),
            Long.toString(batches),
            Long.toString(rows),
            Long.toString(realTokens),
            Long.toString(paddedTokens),
            Long.toString(peakRssKb),
            note.replace('\t', ' '));
  }

  static Measurement parse(String line) {
    String[] f = line.substring(PREFIX.length()).split("\t", -1);
    return new Measurement(
        f[0],
        Long.parseLong(f[1]),
        Double.parseDouble(f[2]),
        Long.parseLong(f[3]),
        Long.parseLong(f[4]),
        Long.parseLong(f[5]),
        Long.parseLong(f[6]),
        Long.parseLong(f[7]),
        f[8]);
  }

  /** This process's peak resident set in KiB, from {@code /proc/self/status} (0 elsewhere). */
  static long readPeakRssKb() {
    try {
      Map<String, String> status = new LinkedHashMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          status.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
      }
      String hwm = status.getOrDefault("VmHWM", "0 kB");
      return Long.parseLong(hwm.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
