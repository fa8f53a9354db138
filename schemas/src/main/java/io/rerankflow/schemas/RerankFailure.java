package io.rerankflow.schemas;

import java.util.Objects;

/** Why one request could not be ranked: its kind and a message a user can act on. */
public record RerankFailure(ErrorKind kind, String message) {
  public RerankFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** The HTTP status the NIM would answer. */
  public int status() {
    return kind.httpStatus();
  }
}
