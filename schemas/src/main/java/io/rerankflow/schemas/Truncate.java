package io.rerankflow.schemas;

/** The NIM's {@code truncate} request field. */
public enum Truncate {
  /** Reject any pair longer than the model's limit (HTTP 422). */
  NONE,
  /** Drop tokens beyond the limit from the right: passage first, then query. */
  END
}
