package io.rerankflow.schemas;

import java.util.List;
import java.util.Objects;

/**
 * A request that passed validation: code after validation never re-checks it.
 *
 * @param id correlation id, from the request or derived from where it came from
 * @param model the canonical name of a served model (aliases already resolved)
 * @param query the query text, never empty
 * @param passages the passage texts, 1 to {@link RequestParser#MAX_PASSAGES}
 * @param truncate what to do with pairs over the model's token limit
 * @param response how the ranking is returned ({@link ResponseOptions#NIM} unless the request used
 *     the opt-in extensions)
 */
public record RankingRequest(
    String id,
    String model,
    String query,
    List<String> passages,
    Truncate truncate,
    ResponseOptions response) {
  public RankingRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(query, "query");
    passages = List.copyOf(passages);
    Objects.requireNonNull(truncate, "truncate");
    Objects.requireNonNull(response, "response");
  }

  /** A request answered the NIM's way: every passage, no text. */
  public RankingRequest(
      String id, String model, String query, List<String> passages, Truncate truncate) {
    this(id, model, query, passages, truncate, ResponseOptions.NIM);
  }
}
