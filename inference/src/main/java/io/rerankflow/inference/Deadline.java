package io.rerankflow.inference;

import java.time.Duration;

/**
 * When nobody waits for a request's answer any more, on the {@link System#nanoTime()} clock: a
 * stage that sees it passed answers the request as a timeout and does no work on it.
 */
public final class Deadline {
  /** No deadline: the request waits as long as it takes. */
  public static final Deadline NONE = new Deadline(0, false);

  /** About ten years: farther deadlines are taken as this far. */
  private static final long MAX_DISTANCE_MILLIS = 10L * 366 * 24 * 3600 * 1000;

  private final long nanos;
  private final boolean set;

  private Deadline(long nanos, boolean set) {
    this.nanos = nanos;
    this.set = set;
  }

  /** At {@code nanoTime} on the {@link System#nanoTime()} clock. */
  public static Deadline atNanoTime(long nanoTime) {
    return new Deadline(nanoTime, true);
  }

  /** {@code timeout} from now. */
  public static Deadline after(Duration timeout) {
    return atNanoTime(System.nanoTime() + timeout.toNanos());
  }

  /**
   * At {@code epochMillis} of the wall clock (as the edge stamps it), moved onto the monotonic
   * clock now, so that later wall-clock jumps do not move it.
   */
  public static Deadline atEpochMillis(long epochMillis) {
    long now = System.currentTimeMillis();
    // Clamped, so that a header of any value cannot overflow the nanosecond arithmetic.
    long remainingMillis =
        Math.min(Math.max(epochMillis, now - MAX_DISTANCE_MILLIS), now + MAX_DISTANCE_MILLIS) - now;
    return atNanoTime(System.nanoTime() + remainingMillis * 1_000_000L);
  }

  /** Whether it has passed at {@code nanoTime}; never for {@link #NONE}. */
  public boolean passedAt(long nanoTime) {
    return set && nanoTime - nanos >= 0;
  }

  /** Whether it has passed now. */
  public boolean passed() {
    return passedAt(System.nanoTime());
  }

  boolean isSet() {
    return set;
  }

  long nanoTime() {
    return nanos;
  }

  @Override
  public String toString() {
    return set
        ? "Deadline[in " + (nanos - System.nanoTime()) / 1_000_000 + " ms]"
        : "Deadline[none]";
  }
}
