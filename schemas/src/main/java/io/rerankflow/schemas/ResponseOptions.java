package io.rerankflow.schemas;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * How a ranking is returned: every passage (the NIM's behaviour) or, with the Cohere/TEI-style
 * extensions enabled, only the {@code top_n} best, optionally with each passage's text ({@code
 * return_text}).
 *
 * @param topN how many rankings to keep; 0 keeps all
 * @param returnText whether each ranking carries its passage text
 */
public record ResponseOptions(int topN, boolean returnText) implements Serializable {

  /** The NIM's response: every passage, no text. */
  public static final ResponseOptions NIM = new ResponseOptions(0, false);

  public ResponseOptions {
    if (topN < 0) {
      throw new IllegalArgumentException("topN must be 0 (all) or positive: " + topN);
    }
  }

  /**
   * Cuts a full ranking down to what the request asked for. Usage and {@link
   * RerankOutput#scoredPairs} stay as scored: every pair was scored, whatever is returned.
   */
  public RerankOutput shape(RerankOutput ranking, List<String> passages) {
    if (ranking.isError() || this.equals(NIM)) {
      return ranking;
    }
    int keep = topN == 0 ? ranking.indices.length : Math.min(topN, ranking.indices.length);
    ranking.indices = Arrays.copyOf(ranking.indices, keep);
    ranking.logits = Arrays.copyOf(ranking.logits, keep);
    if (returnText) {
      ranking.texts = new String[keep];
      for (int rank = 0; rank < keep; rank++) {
        ranking.texts[rank] = passages.get(ranking.indices[rank]);
      }
    }
    return ranking;
  }
}
