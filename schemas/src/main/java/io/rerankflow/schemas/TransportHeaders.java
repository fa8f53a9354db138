package io.rerankflow.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;

/** The transport (Kafka) headers by which the HTTP edge tells the job about a request. */
public final class TransportHeaders {
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
    byte[] value = headers.get(DEADLINE);
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(new String(value, StandardCharsets.US_ASCII).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The header value for a deadline in epoch milliseconds. */
  public static byte[] deadlineValue(long epochMillis) {
    return Long.toString(epochMillis).getBytes(StandardCharsets.US_ASCII);
  }
}
