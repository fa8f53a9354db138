package io.rerankflow.inference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Token ids of passages by text, for one model in one slot, shared by all its requests: a query log
 * over a corpus, and an evaluation run, rerank the same passages again and again. Bounded in bytes
 * (an estimate of the ids and the text kept), least-recently-used texts leave first.
 */
final class PassageCache {
  /** The default bound: about 50,000 passages of 300 tokens. */
  static final long DEFAULT_BYTES = 64L << 20;

  // Object headers and references of the entry, the key String and the arrays, roughly.
  private static final int ENTRY_OVERHEAD_BYTES = 96;

  private final Cache<String, int[]> cache;

  PassageCache(long maxBytes) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((String text, int[] ids) -> weight(text, ids))
            // Evictions run on the caller's thread, never on the common fork-join pool.
            .executor(Runnable::run)
            .build();
  }

  static int weight(String text, int[] ids) {
    return ENTRY_OVERHEAD_BYTES + 2 * text.length() + 4 * ids.length;
  }

  /**
   * The ids of each text, encoding those not cached in one call of {@code encode}.
   *
   * @return the ids in the order of {@code texts}, and how many were cached
   */
  Lookup lookup(List<String> texts, Function<List<String>, int[][]> encode) {
    int[][] ids = new int[texts.size()][];
    List<String> missing = null;
    int[] missingAt = null;
    int misses = 0;
    for (int i = 0; i < ids.length; i++) {
      ids[i] = cache.getIfPresent(texts.get(i));
      if (ids[i] == null) {
        if (missing == null) {
          missing = new ArrayList<>();
          missingAt = new int[ids.length];
        }
        missing.add(texts.get(i));
        missingAt[misses++] = i;
      }
    }
    if (missing != null) {
      int[][] encoded = encode.apply(missing);
      for (int m = 0; m < misses; m++) {
        ids[missingAt[m]] = encoded[m];
        cache.put(missing.get(m), encoded[m]);
      }
    }
    return new Lookup(ids, ids.length - misses);
  }

  /** Estimated bytes held. */
  long weightedBytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /**
   * Ids of a request's texts.
   *
   * @param ids per text, in order
   * @param hits texts found in the cache
   */
  record Lookup(int[][] ids, int hits) {
    int misses() {
      return ids.length - hits;
    }
  }
}
