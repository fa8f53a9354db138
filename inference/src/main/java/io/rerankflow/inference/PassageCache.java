package io.rerankflow.inference;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Token ids of passages by text, for one model in one slot, shared by all its requests: a query log
 * over a corpus, and an evaluation run, rerank the same passages again and again. Bounded in bytes
 * (an estimate of the ids and the text kept); Caffeine's size eviction (W-TinyLFU) decides which
 * texts leave: rarely used ones first.
 *
 * <p>A text is encoded once even when several encoding threads meet it at the same moment: the
 * first puts an unfinished entry in and encodes outside the cache's locks, the others wait for its
 * ids (Caffeine's asynchronous cache, so that a long encode never blocks other keys).
 */
final class PassageCache {
  /** The default bound: about 50,000 passages of 300 tokens. */
  static final long DEFAULT_BYTES = 64L << 20;

  // Object headers and references of the entry, the key String and the arrays, roughly.
  private static final int ENTRY_OVERHEAD_BYTES = 96;

  private final AsyncCache<String, int[]> cache;

  PassageCache(long maxBytes) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((String text, int[] ids) -> weight(text, ids))
            // Evictions run on the caller's thread, never on the common fork-join pool.
            .executor(Runnable::run)
            .buildAsync();
  }

  static int weight(String text, int[] ids) {
    return ENTRY_OVERHEAD_BYTES + 2 * text.length() + 4 * ids.length;
  }

  /**
   * The ids of each text, encoding (with {@code encode}) each one that is neither cached nor being
   * encoded by another thread; a text repeated within {@code texts} is encoded once too.
   *
   * @return the ids in the order of {@code texts}, and how many were found rather than encoded
   */
  Lookup lookup(List<String> texts, Function<String, int[]> encode) {
    int[][] ids = new int[texts.size()][];
    int misses = 0;
    for (int i = 0; i < ids.length; i++) {
      String text = texts.get(i);
      CompletableFuture<int[]> mine = new CompletableFuture<>();
      CompletableFuture<int[]> entry = cache.get(text, (key, executor) -> mine);
      if (entry == mine) {
        misses++;
        ids[i] = encodeInto(mine, text, encode);
      } else {
        ids[i] = awaitOrEncode(entry, text, encode);
      }
    }
    return new Lookup(ids, ids.length - misses);
  }

  private static int[] encodeInto(
      CompletableFuture<int[]> entry, String text, Function<String, int[]> encode) {
    int[] encoded;
    try {
      encoded = encode.apply(text);
    } catch (RuntimeException | Error e) {
      // The entry leaves the cache (a cancelled load is dropped without a log line of Caffeine's
      // own: the caller reports the failure); threads waiting on it encode the text themselves.
      entry.cancel(false);
      throw e;
    }
    entry.complete(encoded);
    return encoded;
  }

  /** Another thread's ids for the text; if its encode failed, this thread's own attempt. */
  private static int[] awaitOrEncode(
      CompletableFuture<int[]> entry, String text, Function<String, int[]> encode) {
    try {
      return entry.join();
    } catch (CompletionException | CancellationException e) {
      return encode.apply(text);
    }
  }

  /** Estimated bytes held. */
  long weightedBytes() {
    return cache.synchronous().policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /**
   * Ids of a request's texts.
   *
   * @param ids per text, in order
   * @param hits texts found in the cache (or being encoded by another thread) rather than encoded
   */
  record Lookup(int[][] ids, int hits) {
    int misses() {
      return ids.length - hits;
    }
  }
}
