package io.rerankflow.jobs.kafka;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request record whose bytes are not a JSON object, on its way to the dead-letter topic: the
 * original key, value and headers, plus headers saying why and where it came from. A Flink POJO.
 */
public class DeadLetter {
  public static final String REASON_HEADER = "rerankflow.reason";
  public static final String TOPIC_HEADER = "rerankflow.source.topic";
  public static final String PARTITION_HEADER = "rerankflow.source.partition";
  public static final String OFFSET_HEADER = "rerankflow.source.offset";

  public byte[] key;
  public byte[] value;
  public Map<String, byte[]> headers;

  public DeadLetter() {}

  static DeadLetter of(KafkaRequest request, String reason) {
    DeadLetter letter = new DeadLetter();
    letter.key = request.key;
    letter.value = request.value;
    letter.headers = new LinkedHashMap<>();
    if (request.headers != null) {
      letter.headers.putAll(request.headers);
    }
    letter.headers.put(REASON_HEADER, utf8(reason));
    letter.headers.put(TOPIC_HEADER, utf8(request.topic));
    letter.headers.put(PARTITION_HEADER, utf8(Integer.toString(request.partition)));
    letter.headers.put(OFFSET_HEADER, utf8(Long.toString(request.offset)));
    return letter;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
