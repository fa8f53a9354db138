package io.rerankflow.edge;

import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.schemas.TransportHeaders.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Where one request's time went: the stage timestamps its result record carries ({@link
 * TransportHeaders.Stage}), plus the moment the reply listener read the result, as the durations
 * between consecutive stages in a {@code Server-Timing} response header.
 */
final class StageTimes {
  /** The response header (W3C Server Timing): {@code name;dur=<ms>} per segment, in path order. */
  static final String HEADER = "Server-Timing";

  /** The segment that ends at each stage, named for what happens in it. */
  private static final Map<Stage, String> SEGMENTS =
      Map.of(
          Stage.PUBLISHED, "edge-in",
          Stage.READ, "kafka-in",
          Stage.INVOKED, "exchange",
          Stage.ENCODED, "encode",
          Stage.BATCHED, "queue",
          Stage.SCORED, "score",
          Stage.WRITTEN, "sink");

  private static final String REPLIED = "kafka-out";
  private static final String ANSWERED = "edge-out";

  private final List<String> names = new ArrayList<>();
  private final List<Long> micros = new ArrayList<>();

  private StageTimes() {}

  /**
   * The stamps in {@code headers} (absent ones are skipped: their time counts in the next segment)
   * and {@code repliedMicros}, when the edge read the result.
   */
  static StageTimes of(Map<String, byte[]> headers, long repliedMicros) {
    StageTimes times = new StageTimes();
    for (Stage stage : Stage.values()) {
      OptionalLong at = TransportHeaders.stageMicros(headers, stage);
      if (at.isPresent()) {
        times.names.add(SEGMENTS.get(stage));
        times.micros.add(at.getAsLong());
      }
    }
    times.names.add(REPLIED);
    times.micros.add(repliedMicros);
    return times;
  }

  /**
   * The {@code Server-Timing} value with the last segment ending at {@code answeredMicros}: one
   * {@code name;dur=ms} per segment from the first stamp on.
   */
  String serverTiming(long answeredMicros) {
    List<String> parts = new ArrayList<>();
    long previous = micros.isEmpty() ? answeredMicros : micros.get(0);
    for (int i = 1; i <= micros.size(); i++) {
      long at = i < micros.size() ? micros.get(i) : answeredMicros;
      String name = i < micros.size() ? names.get(i) : ANSWERED;
      parts.add(String.format(Locale.ROOT, "%s;dur=%.3f", name, (at - previous) / 1000.0));
      previous = at;
    }
    return String.join(", ", parts);
  }
}
