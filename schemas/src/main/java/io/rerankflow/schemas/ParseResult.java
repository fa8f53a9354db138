package io.rerankflow.schemas;

/** The outcome of parsing one raw request: a validated request, or the reason it was rejected. */
public sealed interface ParseResult {

  /** A request that passed every check. */
  record Accepted(RankingRequest request) implements ParseResult {}

  /**
   * A request that failed a check.
   *
   * @param id the request's own id if it had a usable one, else the origin's fallback id
   * @param model the requested model as written, or null if the request had none
   */
  record Rejected(String id, String model, RerankFailure failure) implements ParseResult {
    /** The error record for this rejection. */
    public RerankOutput toOutput() {
      return RerankOutput.failed(id, model, failure);
    }
  }
}
