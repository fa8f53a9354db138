package io.rerankflow.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The transport (Kafka) headers by which the HTTP edge tells the job about a request: its deadline,
 * and the stage timestamps that measure where a request's time goes.
 */
public final class TransportHeaders {
  /** Every header of this kind starts with it; the job carries them from request to result. */
  public static final String PREFIX = "rerankflow-";

  /**
   * A request's path, in order. Each stage's header holds the moment the request passed it, epoch
   * microseconds as decimal ASCII. The edge stamps {@link #PUBLISHED} (and {@link #RECEIVED}) on
   * the request; the job adds its own stamps only to a request that carries {@link #PUBLISHED}, so
   * nothing is added to the records of other producers.
   */
  public enum Stage {
    /** The edge received the HTTP request. */
    RECEIVED,
    /** The edge handed the record to its Kafka producer. */
    PUBLISHED,
    /** The job's Kafka source read the record. */
    READ,
    /** The reranking operator got the request (after the exchange in front of it). */
    INVOKED,
    /** Its pairs were tokenised and queued in the engine. */
    ENCODED,
    /** Its first row went into a batch. */
    BATCHED,
    /** The engine answered it (its last row scored). */
    SCORED,
    /** The job's Kafka sink serialised its result record. */
    WRITTEN;

    /** The header that carries this stage's timestamp. */
    public String header() {
      return PREFIX + "t-" + name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * When nobody waits for the request's answer any more: epoch milliseconds as decimal ASCII. The
   * edge stamps it; the job answers a request past it with a {@code timeout} record, unscored.
   */
  public static final String DEADLINE = "rerankflow-deadline";

  private TransportHeaders() {}

  /** The deadline header's value, or empty when absent or unreadable (then there is none). */
  public static OptionalLong deadlineMillis(Map<String, byte[]> headers) {
    if (headers == null) {
      return OptionalLong.empty();
    }
    return parse(headers.get(DEADLINE));
  }

  /** The header value for a deadline in epoch milliseconds. */
  public static byte[] deadlineValue(long epochMillis) {
    return Long.toString(epochMillis).getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether {@code name} is one of these headers, which travel with a request whatever else. */
  public static boolean isTransportHeader(String name) {
    return name != null && name.startsWith(PREFIX);
  }

  /** Whether the request asked for stage timestamps: the edge stamped {@link Stage#PUBLISHED}. */
  public static boolean traced(Map<String, byte[]> headers) {
    return headers != null && headers.containsKey(Stage.PUBLISHED.header());
  }

  /** Now, in epoch microseconds (the wall clock: stages run in different processes). */
  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /**
   * {@code headers} with {@code stage} stamped at {@code epochMicros}: a new map, the argument is
   * left as it is (records may share their header maps).
   */
  public static Map<String, byte[]> stamped(
      Map<String, byte[]> headers, Stage stage, long epochMicros) {
    Map<String, byte[]> copy =
        headers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(headers);
    copy.put(stage.header(), microsValue(epochMicros));
    return copy;
  }

  /** The header value of a stage timestamp. */
  public static byte[] microsValue(long epochMicros) {
    return Long.toString(epochMicros).getBytes(StandardCharsets.US_ASCII);
  }

  /** When the request passed {@code stage}, or empty when it carries no (readable) stamp. */
  public static OptionalLong stageMicros(Map<String, byte[]> headers, Stage stage) {
    if (headers == null) {
      return OptionalLong.empty();
    }
    return parse(headers.get(stage.header()));
  }

  /** A stamp's or deadline's value, or empty when absent or unreadable. */
  public static OptionalLong parse(byte[] value) {
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(new String(value, StandardCharsets.US_ASCII).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
