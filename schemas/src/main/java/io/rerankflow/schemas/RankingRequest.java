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
 */
public record RankingRequest(
    String id, String model, String query, List<String> passages, Truncate truncate) {
  public RankingRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(query, "query");
    passages = List.copyOf(passages);
    Objects.requireNonNull(truncate, "truncate");
  }
}
