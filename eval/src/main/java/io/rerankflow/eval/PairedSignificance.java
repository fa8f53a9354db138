package io.rerankflow.eval;

import java.util.Random;

/**
 * Two-sided paired significance tests on per-query metric values of two systems over the same
 * queries (arrays aligned by query). Both tests are Monte Carlo with a fixed seed, so a given input
 * and seed always give the same p-value; {@link java.util.Random} is used because its algorithm is
 * specified and therefore identical on every JVM.
 *
 * <p>p-values are (number of resamples at least as extreme as observed + 1) / (trials + 1), which
 * never reports an impossible p = 0 and gives exactly 1 when the systems do not differ.
 *
 * @param trials number of random resamples
 * @param seed seed of the resampling
 */
public record PairedSignificance(int trials, long seed) {

  public static final int DEFAULT_TRIALS = 10_000;
  public static final long DEFAULT_SEED = 42L;

  // Resampled statistics are sums in a different order than the observed one, so a statistic
  // that is mathematically as extreme can fall short by rounding; this relative slack keeps it
  // counted.
  private static final double RELATIVE_TOLERANCE = 1e-9;

  public PairedSignificance {
    if (trials < 1) {
      throw new IllegalArgumentException("trials must be positive: " + trials);
    }
  }

  /** {@value #DEFAULT_TRIALS} trials, seed {@value #DEFAULT_SEED}. */
  public static PairedSignificance defaults() {
    return new PairedSignificance(DEFAULT_TRIALS, DEFAULT_SEED);
  }

  /** Mean of {@code treatment[i] - baseline[i]}. */
  public static double meanDelta(double[] baseline, double[] treatment) {
    double[] deltas = deltas(baseline, treatment);
    return sum(deltas) / deltas.length;
  }

  /**
   * Paired randomisation (permutation) test: under the null hypothesis the two systems' values for
   * a query are exchangeable, so each per-query difference is equally likely to have either sign.
   * Each trial flips every difference's sign with probability 1/2 and counts trials whose |mean
   * difference| reaches the observed one.
   */
  public double randomisationPValue(double[] baseline, double[] treatment) {
    double[] deltas = deltas(baseline, treatment);
    double observed = Math.abs(sum(deltas));
    double threshold = observed - RELATIVE_TOLERANCE * sumOfMagnitudes(deltas);
    Random random = new Random(seed);
    int atLeastAsExtreme = 0;
    for (int trial = 0; trial < trials; trial++) {
      double flippedSum = 0;
      long signBits = 0;
      for (int i = 0; i < deltas.length; i++) {
        // One nextLong supplies 64 sign flips, which keeps 10^4 trials over thousands of queries
        // cheap.
        if (i % Long.SIZE == 0) {
          signBits = random.nextLong();
        }
        flippedSum += (signBits & 1L) == 0 ? deltas[i] : -deltas[i];
        signBits >>>= 1;
      }
      if (Math.abs(flippedSum) >= threshold) {
        atLeastAsExtreme++;
      }
    }
    return pValue(atLeastAsExtreme);
  }

  /**
   * Paired bootstrap test (Efron and Tibshirani's shift method): per-query differences are shifted
   * to mean 0 so that resampling draws from a population where the null hypothesis holds; each
   * trial resamples that many shifted differences with replacement and counts trials whose |mean|
   * reaches the observed |mean difference|.
   */
  public double bootstrapPValue(double[] baseline, double[] treatment) {
    double[] deltas = deltas(baseline, treatment);
    int n = deltas.length;
    double observedMean = sum(deltas) / n;
    double[] shifted = new double[n];
    for (int i = 0; i < n; i++) {
      shifted[i] = deltas[i] - observedMean;
    }
    double threshold = Math.abs(observedMean) - RELATIVE_TOLERANCE * sumOfMagnitudes(deltas) / n;
    Random random = new Random(seed);
    int atLeastAsExtreme = 0;
    for (int trial = 0; trial < trials; trial++) {
      double resampledSum = 0;
      for (int i = 0; i < n; i++) {
        resampledSum += shifted[random.nextInt(n)];
      }
      if (Math.abs(resampledSum / n) >= threshold) {
        atLeastAsExtreme++;
      }
    }
    return pValue(atLeastAsExtreme);
  }

  private double pValue(int atLeastAsExtreme) {
    return (atLeastAsExtreme + 1.0) / (trials + 1.0);
  }

  private static double[] deltas(double[] baseline, double[] treatment) {
    if (baseline.length != treatment.length) {
      throw new IllegalArgumentException(
          "paired tests need one value per query from each system, got "
              + baseline.length
              + " and "
              + treatment.length);
    }
    if (baseline.length == 0) {
      throw new IllegalArgumentException("paired tests need at least one query");
    }
    double[] deltas = new double[baseline.length];
    for (int i = 0; i < deltas.length; i++) {
      deltas[i] = treatment[i] - baseline[i];
    }
    return deltas;
  }

  private static double sum(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum;
  }

  private static double sumOfMagnitudes(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += Math.abs(value);
    }
    return sum;
  }
}
