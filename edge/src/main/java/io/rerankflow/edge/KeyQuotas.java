package io.rerankflow.edge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key quotas in query-passage pairs per second: one token bucket per key NAME.
 *
 * <p>A bucket holds at most one second of its key's rate (the burst) and refills continuously. A
 * request is let in while its key's bucket holds at least one pair, which it takes before its body
 * is read; once validated and admitted it pays its other pairs, and may leave the bucket in debt.
 * So the answer to a key over its quota is given at once, before any body is buffered, and a
 * request larger than the burst is not refused forever: its debt is waited off before the key's
 * next request. Over time a key gets its rate and no more; other keys are not affected.
 */
final class KeyQuotas {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  KeyQuotas() {
    this(System::nanoTime);
  }

  KeyQuotas(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * Takes the one pair that lets a request of {@code key} in: 0 when taken (or the key has no
   * quota), else the whole seconds until it could be (for {@code Retry-After}, at least 1).
   */
  long enter(ApiKeys.Key key) {
    if (key.pairsPerSecond() <= 0) {
      return 0;
    }
    return bucket(key).tryTakeOne(nanoTime.getAsLong());
  }

  /** The {@code pairs} beyond the one taken at {@link #enter} that an admitted request costs. */
  void charge(ApiKeys.Key key, int pairs) {
    if (key.pairsPerSecond() > 0 && pairs > 1) {
      bucket(key).take(pairs - 1, nanoTime.getAsLong());
    }
  }

  /** A reloaded key file may change a key's rate: its bucket then starts over, full. */
  private Bucket bucket(ApiKeys.Key key) {
    return buckets.compute(
        key.name(),
        (name, b) ->
            b != null && b.rate == key.pairsPerSecond()
                ? b
                : new Bucket(key.pairsPerSecond(), nanoTime.getAsLong()));
  }

  private static final class Bucket {
    final double rate;
    final double burst;
    double tokens;
    long updatedNanos;

    Bucket(double rate, long nowNanos) {
      this.rate = rate;
      this.burst = Math.max(1, rate);
      this.tokens = burst;
      this.updatedNanos = nowNanos;
    }

    synchronized long tryTakeOne(long nowNanos) {
      refill(nowNanos);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }

    synchronized void take(int pairs, long nowNanos) {
      refill(nowNanos);
      tokens -= pairs;
    }

    private void refill(long nowNanos) {
      long elapsed = nowNanos - updatedNanos;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + rate * elapsed / NANOS_PER_SECOND);
        updatedNanos = nowNanos;
      }
    }
  }
}
