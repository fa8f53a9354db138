package io.rerankflow.schemas;

/**
 * The closed set of ways a ranking request can fail, each with the HTTP status the NIM answers.
 *
 * <p>This enum is the one place where a kind maps to a status; the error record and the HTTP edge
 * both read it from here.
 */
public enum ErrorKind {
  /** The body is not JSON, or not a JSON object. */
  MALFORMED_JSON("malformed_json", 400),
  /** A field is missing, has the wrong type, or has a value outside the contract. */
  INVALID_REQUEST("invalid_request", 400),
  /** More passages than the NIM accepts in one request. */
  TOO_MANY_PASSAGES("too_many_passages", 400),
  /** The requested model is not served by this job. */
  MODEL_NOT_FOUND("model_not_found", 404),
  /** A pair exceeds the model's token limit and truncation is {@code NONE}. */
  INPUT_TOO_LONG("input_too_long", 422),
  /** The pipeline has no room for the request right now. */
  OVERLOADED("overloaded", 503),
  /** The request was not answered within the configured timeout. */
  TIMEOUT("timeout", 504),
  /** The model runtime failed while scoring the request. */
  BACKEND_FAILURE("backend_failure", 500),
  /** The HTTP edge requires an API key and the request had none, or a wrong one. */
  UNAUTHORIZED("unauthorized", 401),
  /** The request's API key is over its quota at the HTTP edge (other keys are not affected). */
  QUOTA_EXCEEDED("quota_exceeded", 429),
  /** The HTTP body is larger than the edge accepts. */
  REQUEST_TOO_LARGE("request_too_large", 413),
  /** The answer is larger than the transport can carry (e.g. Kafka's record limit). */
  RESPONSE_TOO_LARGE("response_too_large", 413);

  private final String type;
  private final int httpStatus;

  ErrorKind(String type, int httpStatus) {
    this.type = type;
    this.httpStatus = httpStatus;
  }

  /** The stable, lower-case name written into error records. */
  public String type() {
    return type;
  }

  /** The HTTP status the NIM answers for this kind of failure. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Finds a kind by its {@link #type()}, as read back from an error record. */
  public static ErrorKind fromType(String type) {
    for (ErrorKind kind : values()) {
      if (kind.type.equals(type)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown error type: " + type);
  }
}
