package io.rerankflow.inference;

/** A request handed to the {@link InferenceEngine}, which its caller may withdraw. */
public interface Submission {
  /** A request answered at once (refused, or already past its deadline): nothing to withdraw. */
  Submission ANSWERED = () -> false;

  /**
   * Withdraws the request because nobody waits for it any more: unless its answer is already on its
   * way, the engine never calls its callback, and its rows leave the engine unscored.
   *
   * @return whether it was withdrawn (false: the callback has been or is being called)
   */
  boolean cancel();
}
