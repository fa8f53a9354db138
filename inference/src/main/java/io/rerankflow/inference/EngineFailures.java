package io.rerankflow.inference;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;

/** Every failure the slot engine answers a request with, worded in this one place. */
final class EngineFailures {
  private EngineFailures() {}

  static RerankFailure notLoaded(String model) {
    return new RerankFailure(
        ErrorKind.MODEL_NOT_FOUND, "Model '" + model + "' is not loaded in this engine");
  }

  static RerankFailure expired() {
    return new RerankFailure(
        ErrorKind.TIMEOUT, "The request's deadline passed before it was scored");
  }

  /** The engine stopped: closed ({@code cause} null) or failed. */
  static RerankFailure stopped(Throwable cause) {
    return cause == null
        ? new RerankFailure(
            ErrorKind.BACKEND_FAILURE, "The inference engine shut down before scoring this request")
        : backend("The inference engine failed", cause);
  }

  static RerankFailure tokenization(Throwable cause) {
    return backend("Tokenization failed", cause);
  }

  static RerankFailure queueing(Throwable cause) {
    return backend("Queueing failed", cause);
  }

  static RerankFailure inference(Throwable cause) {
    return backend("Inference failed", cause);
  }

  private static RerankFailure backend(String what, Throwable cause) {
    return new RerankFailure(ErrorKind.BACKEND_FAILURE, what + ": " + cause.getMessage());
  }
}
