package io.rerankflow.schemas;

import java.util.Map;

/**
 * A request as it arrived, before parsing: the bytes and where they came from. A Flink POJO.
 *
 * <p>Parsing happens in the reranking operator so that bytes which are not even JSON still yield an
 * error record there, like every other bad request.
 */
public class RawRequest {
  /** The id used when the request has no {@code id} field (line number, topic-partition-offset). */
  public String fallbackId;

  /** Where it came from, for error messages (e.g. {@code line 3 of requests.jsonl}). */
  public String origin;

  public byte[] payload;

  /**
   * Transport headers to hand on to the request's output (e.g. a Kafka reply-to header); null when
   * the source has none. Not part of the request itself and never parsed.
   */
  public Map<String, byte[]> headers;

  public RawRequest() {}

  public RawRequest(String fallbackId, String origin, byte[] payload) {
    this.fallbackId = fallbackId;
    this.origin = origin;
    this.payload = payload;
  }

  public RawRequest(String fallbackId, String origin, byte[] payload, Map<String, byte[]> headers) {
    this(fallbackId, origin, payload);
    this.headers = headers;
  }

  public RecordOrigin recordOrigin() {
    return new RecordOrigin(fallbackId, origin);
  }
}
