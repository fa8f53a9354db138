package io.rerankflow.operators;

import io.rerankflow.inference.EngineListener;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The engine's reports as Flink metrics, in the operator's group {@value #GROUP}; under a
 * Prometheus reporter they read e.g. {@code
 * flink_taskmanager_job_task_operator_rerankflow_pairs_scored}. Beside the per-batch histograms,
 * the batch totals (batches, rows, real and padded tokens, inference time) are counters, so a
 * reporter can sum a whole run (the benchmarks read them that way). Every door registers the same
 * ones.
 */
public final class EngineMetrics implements EngineListener {
  public static final String GROUP = "rerankflow";
  public static final String PAIRS_SCORED = "pairs_scored";
  public static final String PAIRS_SCORED_RATE = "pairs_scored_per_second";
  public static final String BATCH_ROWS = "batch_rows";
  public static final String BATCH_PADDING = "batch_padding_overhead_percent";
  public static final String QUEUE_WAIT = "queue_wait_ms";
  public static final String INFERENCE_TIME = "inference_ms";
  public static final String IN_FLIGHT = "requests_in_flight";
  public static final String QUEUED_ROWS = "rows_queued";
  public static final String BATCHES = "batches";
  public static final String ROWS = "rows_scored";
  public static final String REAL_TOKENS = "tokens_real";
  public static final String PADDED_TOKENS = "tokens_padded";
  public static final String INFERENCE_TOTAL = "inference_ms_total";
  public static final String CACHE_HITS = "passage_cache_hits";
  public static final String CACHE_MISSES = "passage_cache_misses";

  private static final int HISTOGRAM_WINDOW = 1024;

  private final Counter pairsScored;
  private final Histogram batchRows;
  private final Histogram batchPadding;
  private final Histogram queueWait;
  private final Histogram inferenceTime;
  private final Counter batches;
  private final Counter rowsTotal;
  private final Counter realTokens;
  private final Counter paddedTokens;
  private final Counter inferenceTotal;
  private final Counter cacheHits;
  private final Counter cacheMisses;

  /**
   * Registers the metrics in {@code operatorGroup}'s subgroup {@value #GROUP}.
   *
   * @param inFlight requests in the engine now
   * @param queuedRows rows admitted to the engine now
   */
  public EngineMetrics(MetricGroup operatorGroup, IntSupplier inFlight, IntSupplier queuedRows) {
    MetricGroup group = operatorGroup.addGroup(GROUP);
    pairsScored = group.counter(PAIRS_SCORED);
    group.meter(PAIRS_SCORED_RATE, new MeterView(pairsScored));
    batchRows = group.histogram(BATCH_ROWS, histogram());
    batchPadding = group.histogram(BATCH_PADDING, histogram());
    queueWait = group.histogram(QUEUE_WAIT, histogram());
    inferenceTime = group.histogram(INFERENCE_TIME, histogram());
    group.gauge(IN_FLIGHT, inFlight::getAsInt);
    group.gauge(QUEUED_ROWS, queuedRows::getAsInt);
    batches = group.counter(BATCHES);
    rowsTotal = group.counter(ROWS);
    realTokens = group.counter(REAL_TOKENS);
    paddedTokens = group.counter(PADDED_TOKENS);
    inferenceTotal = group.counter(INFERENCE_TOTAL);
    // Counted on the encoding threads, several at once.
    cacheHits = group.counter(CACHE_HITS, new ThreadSafeSimpleCounter());
    cacheMisses = group.counter(CACHE_MISSES, new ThreadSafeSimpleCounter());
  }

  private static Histogram histogram() {
    return new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
  }

  @Override
  public void batchScored(int rows, long real, long padded, long inferenceNanos) {
    batchRows.update(rows);
    batchPadding.update(real > 0 ? (padded - real) * 100 / real : 0);
    inferenceTime.update(inferenceNanos / 1_000_000);
    batches.inc();
    rowsTotal.inc(rows);
    realTokens.inc(real);
    paddedTokens.inc(padded);
    inferenceTotal.inc(inferenceNanos / 1_000_000);
  }

  @Override
  public void requestStarted(long queueWaitNanos) {
    queueWait.update(queueWaitNanos / 1_000_000);
  }

  @Override
  public void passagesLookedUp(int hits, int misses) {
    cacheHits.inc(hits);
    cacheMisses.inc(misses);
  }

  @Override
  public void requestScored(int pairs) {
    pairsScored.inc(pairs);
  }
}
