package io.rerankflow.schemas;

/** Carries a {@link RerankFailure} out of deep validation or tokenisation code. */
public final class RerankException extends Exception {
  private final RerankFailure failure;

  public RerankException(ErrorKind kind, String message) {
    super(message, null, false, false);
    this.failure = new RerankFailure(kind, message);
  }

  public RerankFailure failure() {
    return failure;
  }
}
