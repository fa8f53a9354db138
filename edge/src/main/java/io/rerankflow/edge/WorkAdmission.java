package io.rerankflow.edge;

import java.util.function.LongSupplier;

/**
 * Admission by work: a request is admitted only if the pairs already in flight plus its own can be
 * scored before its deadline at the throughput this edge observes (a configured guess at first,
 * then a time-weighted moving average of the pairs scored per busy second).
 *
 * <p>Two gates. Before a body is read, {@link #reserve} counts an estimate of its pairs from its
 * declared size ({@link #estimatedPairs}), so a burst of simultaneous requests is cut at once
 * rather than after every body has been read and validated; once parsed, {@link #tryAdmit} replaces
 * the estimate by the exact count.
 *
 * <p>Thread-safe; every method is short and holds the monitor only for arithmetic.
 */
final class WorkAdmission {
  /**
   * The share of a request's time budget its scoring may be planned to take: the rest is for Kafka,
   * the job's batching and the reply, so an admitted request is answered before its 504.
   */
  static final double HEADROOM = 0.8;

  /**
   * The average's memory in busy seconds. A sample weighs by the time it spans, not by count: the
   * job often answers many requests at once after a long batch, and a short burst of answers must
   * not count like the long wait before it.
   */
  private static final double TIME_CONSTANT_SECONDS = 10;

  /**
   * Busy time a throughput sample spans at least: longer than the bursts in which the job answers
   * several requests at once after a long batch, so a burst and the wait before the next one fall
   * into one sample.
   */
  private static final long SAMPLE_NANOS = 5_000_000_000L;

  /** Floor of the estimate, so a stalled pipeline still gives a finite Retry-After. */
  private static final double MIN_PAIRS_PER_SECOND = 0.5;

  private final LongSupplier nanoClock;
  private double pairsPerSecond;
  private long inFlightPairs;
  private long reservedPairs;
  private long peakInFlightPairs;
  private long lastChange;
  private long sampleBusyNanos;
  private long samplePairs;

  /** What {@link #tryAdmit} decided: admitted, or when to retry (seconds, at least 1). */
  record Decision(boolean admitted, long retryAfterSeconds) {}

  private static final Decision ADMIT = new Decision(true, 0);

  /**
   * Bytes of body per pair for the estimate before reading: fewer than most passages take as JSON
   * (30 words are some 190 bytes), so the estimate errs high. A request let in at the gate then
   * holds at least its pairs and is admitted outright once parsed, and what does not fit is refused
   * at the gate, unread, rather than read, parsed and refused behind the admitted requests'
   * tokenising (measured: a burst of 200 requests of 512 such passages with 256 bytes a pair left
   * 15 refusals 2-4 s behind the others). Shorter passages are underestimated and decided on again
   * once parsed.
   */
  static final long BYTES_PER_PAIR_ESTIMATE = 128;

  /**
   * Pairs held for a request between the gate before its body is read and its admission; {@link
   * #release} (idempotent) frees them when it never gets that far.
   */
  final class Reservation {
    private long pairs;
    private final long retryAfterSeconds;

    private Reservation(long pairs, long retryAfterSeconds) {
      this.pairs = pairs;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Whether the request may be read; otherwise nothing is held. */
    boolean admitted() {
      return retryAfterSeconds == 0;
    }

    /** For a refused request: when to retry, in seconds (at least 1). */
    long retryAfterSeconds() {
      return retryAfterSeconds;
    }

    /** Frees what it still holds: for a request that ends before {@link #tryAdmit}. */
    void release() {
      synchronized (WorkAdmission.this) {
        take();
      }
    }

    /** Frees what it holds and says how much that was. Under the admission's monitor. */
    private long take() {
      long held = pairs;
      reservedPairs -= held;
      pairs = 0;
      return held;
    }
  }

  /**
   * The pairs a body of {@code contentLength} bytes is expected to hold (at least 1; 1 when the
   * length is not declared, -1).
   */
  static long estimatedPairs(long contentLength) {
    return Math.max(1, contentLength / BYTES_PER_PAIR_ESTIMATE);
  }

  WorkAdmission(double expectedPairsPerSecond, LongSupplier nanoClock) {
    this.pairsPerSecond = Math.max(MIN_PAIRS_PER_SECOND, expectedPairsPerSecond);
    this.nanoClock = nanoClock;
    this.lastChange = nanoClock.getAsLong();
  }

  WorkAdmission(double expectedPairsPerSecond) {
    this(expectedPairsPerSecond, System::nanoTime);
  }

  /**
   * Admits {@code pairs} with {@code budgetNanos} left before the request's deadline, counting them
   * in flight until {@link #finished}. With nothing in flight a request is always admitted: the
   * estimate can only learn from work it lets in.
   */
  synchronized Decision tryAdmit(int pairs, long budgetNanos) {
    return tryAdmit(pairs, budgetNanos, null);
  }

  /**
   * As {@link #tryAdmit(int, long)} for a request that passed {@link #reserve}: its estimate is
   * replaced by the exact {@code pairs} in one step. No more than it holds is admitted outright (it
   * was let in with as much); more is decided on against the admitted work alone, as without a
   * reservation: the other reservations are estimates of bodies not yet read, which must not keep
   * out one that has been.
   */
  synchronized Decision tryAdmit(int pairs, long budgetNanos, Reservation reservation) {
    long held = reservation == null ? 0 : reservation.take();
    Decision decision = pairs <= held ? ADMIT : probe(inFlightPairs, pairs, budgetNanos);
    if (!decision.admitted()) {
      return decision;
    }
    account();
    inFlightPairs += pairs;
    peakInFlightPairs = Math.max(peakInFlightPairs, inFlightPairs);
    return new Decision(true, 0);
  }

  /**
   * The gate before a body is read: admits and holds {@code estimatedPairs} (see {@link
   * #estimatedPairs}) by the same rule as {@link #tryAdmit}, or refuses with nothing held.
   */
  synchronized Reservation reserve(long estimatedPairs, long budgetNanos) {
    Decision decision = probe(inFlightPairs + reservedPairs, estimatedPairs, budgetNanos);
    if (!decision.admitted()) {
      return new Reservation(0, decision.retryAfterSeconds());
    }
    reservedPairs += estimatedPairs;
    return new Reservation(estimatedPairs, 0);
  }

  /** Whether {@code pairs} fit beside {@code ahead} pairs in flight; nothing ahead: always. */
  private Decision probe(long ahead, long pairs, long budgetNanos) {
    if (ahead == 0) {
      return ADMIT;
    }
    double seconds = (ahead + pairs) / pairsPerSecond;
    double allowed = HEADROOM * budgetNanos / 1e9;
    return seconds > allowed
        ? new Decision(false, Math.max(1, (long) Math.ceil(seconds - allowed)))
        : new Decision(true, 0);
  }

  /**
   * Admitted {@code pairs} left the pipeline; {@code scored} when the job ranked them (a timeout,
   * an error record or a failed publish frees them without telling how fast the job scores).
   */
  synchronized void finished(int pairs, boolean scored) {
    account();
    inFlightPairs -= pairs;
    if (scored) {
      samplePairs += pairs;
    }
    if (sampleBusyNanos >= SAMPLE_NANOS) {
      double seconds = sampleBusyNanos / 1e9;
      double weight = 1 - Math.exp(-seconds / TIME_CONSTANT_SECONDS);
      double sample = samplePairs / seconds;
      pairsPerSecond =
          Math.max(MIN_PAIRS_PER_SECOND, (1 - weight) * pairsPerSecond + weight * sample);
      sampleBusyNanos = 0;
      samplePairs = 0;
    }
  }

  /** Adds the time since the last change to the busy time when work was in flight. */
  private void account() {
    long now = nanoClock.getAsLong();
    if (inFlightPairs > 0) {
      sampleBusyNanos += now - lastChange;
    }
    lastChange = now;
  }

  /** Pairs admitted and not yet answered (reservations not included). */
  synchronized long inFlightPairs() {
    return inFlightPairs;
  }

  /** Pairs held for requests whose bodies are being read or parsed. */
  synchronized long reservedPairs() {
    return reservedPairs;
  }

  synchronized long peakInFlightPairs() {
    return peakInFlightPairs;
  }

  synchronized double pairsPerSecond() {
    return pairsPerSecond;
  }
}
