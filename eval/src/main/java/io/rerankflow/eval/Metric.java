package io.rerankflow.eval;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A metric an evaluation reports: a kind of {@link Metrics} function and its cutoff, with its
 * display label and trec_eval name. {@link #DEFAULTS} are the four every report shows; {@link
 * #parse} reads the others ({@code --metric ndcg@20}).
 *
 * @param kind which per-query function
 * @param cutoff the rank depth it looks at; 0 for MAP, which reads the whole ranking
 */
public record Metric(Kind kind, int cutoff) {

  /** The per-query functions of {@link Metrics}. */
  public enum Kind {
    NDCG,
    MRR,
    RECALL,
    MAP
  }

  public static final Metric NDCG_AT_10 = new Metric(Kind.NDCG, 10);
  public static final Metric MRR_AT_10 = new Metric(Kind.MRR, 10);
  public static final Metric RECALL_AT_100 = new Metric(Kind.RECALL, 100);
  public static final Metric MAP = new Metric(Kind.MAP, 0);

  /** The metrics every evaluation reports, in report order. */
  public static final List<Metric> DEFAULTS = List.of(NDCG_AT_10, MRR_AT_10, RECALL_AT_100, MAP);

  public Metric {
    if (kind == Kind.MAP ? cutoff != 0 : cutoff < 1) {
      throw new IllegalArgumentException(
          kind == Kind.MAP ? "MAP reads the whole ranking; it takes no cutoff" : "cutoff < 1");
    }
  }

  /**
   * Reads {@code ndcg@K}, {@code mrr@K}, {@code recall@K} or {@code map} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Metric parse(String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    if (value.equals("map")) {
      return MAP;
    }
    int at = value.indexOf('@');
    if (at > 0) {
      try {
        Kind kind = Kind.valueOf(value.substring(0, at).toUpperCase(Locale.ROOT));
        int cutoff = Integer.parseInt(value.substring(at + 1));
        if (kind != Kind.MAP && cutoff >= 1) {
          return new Metric(kind, cutoff);
        }
      } catch (IllegalArgumentException e) {
        // Falls through to the message below, which names the accepted forms.
      }
    }
    throw new IllegalArgumentException(
        "unknown metric '" + text + "': expected ndcg@K, mrr@K, recall@K (K >= 1) or map");
  }

  public String label() {
    return switch (kind) {
      case NDCG -> "NDCG@" + cutoff;
      case MRR -> "MRR@" + cutoff;
      case RECALL -> "Recall@" + cutoff;
      case MAP -> "MAP";
    };
  }

  public String trecEvalName() {
    return switch (kind) {
      case NDCG -> "ndcg_cut." + cutoff;
      case MRR -> "recip_rank (top " + cutoff + ")";
      case RECALL -> "recall_" + cutoff;
      case MAP -> "map";
    };
  }

  /** This metric for one query: doc ids in evaluation order against that query's judgments. */
  public double compute(List<String> ranking, Map<String, Integer> judgments) {
    return switch (kind) {
      case NDCG -> Metrics.ndcgAt(cutoff, ranking, judgments);
      case MRR -> Metrics.reciprocalRankAt(cutoff, ranking, judgments);
      case RECALL -> Metrics.recallAt(cutoff, ranking, judgments);
      case MAP -> Metrics.averagePrecision(ranking, judgments);
    };
  }

  @Override
  public String toString() {
    return label();
  }
}
