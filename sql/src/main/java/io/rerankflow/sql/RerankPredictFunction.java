package io.rerankflow.sql;

import io.rerankflow.inference.Deadline;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.SlotEngine;
import io.rerankflow.inference.SlotSettings;
import io.rerankflow.inference.Submission;
import io.rerankflow.operators.EngineMetrics;
import io.rerankflow.operators.SlotCores;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RecordOrigin;
import io.rerankflow.schemas.RequestParser;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ML_PREDICT} over a rerankflow model: each row becomes a NIM request, validated by the file
 * job's {@link RequestParser} and scored by the slot's shared {@link SlotEngine} (the DataStream
 * operator's: tokenised on the slot's cores, batched across rows, reporting the same {@code
 * rerankflow} metrics). Every row gets exactly one result row, a ranking or an error; a bad row
 * never fails the job. Public: the planner's generated code instantiates it by reflection.
 */
public final class RerankPredictFunction extends AsyncPredictFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RerankPredictFunction.class);

  /** Rows carry no id of their own; messages name the row's origin instead. */
  private static final RecordOrigin ORIGIN = new RecordOrigin("row", "ML_PREDICT input row");

  private final EngineSettings settings;
  private final NimRows rows;
  private final boolean extensions;
  private final Duration timeout;
  private final int maxConcurrentOperations;

  private transient volatile SharedEngines.Lease lease;
  private transient RequestParser parser;

  /**
   * @param extensions whether the rows' requests use {@code top_n}
   * @param timeout how long a row may wait before it becomes a timeout error
   * @param maxConcurrentOperations rows Flink lets be in flight per slot
   */
  RerankPredictFunction(
      EngineSettings settings,
      NimRows rows,
      boolean extensions,
      Duration timeout,
      int maxConcurrentOperations) {
    this.settings = settings;
    this.rows = rows;
    this.extensions = extensions;
    this.timeout = timeout;
    this.maxConcurrentOperations = maxConcurrentOperations;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    int subtask = context.getTaskInfo().getIndexOfThisSubtask();
    RuntimeContext runtime = FunctionContexts.runtimeContext(context);
    SlotSettings slot =
        new SlotSettings(
            settings,
            subtask,
            SlotCores.slotsSharingCores(runtime),
            SlotCores.coresPerSlot(runtime),
            Device.visibleGpus(),
            "rerankflow-sql-" + subtask);
    lease =
        SharedEngines.acquire(
            slot,
            () -> new EngineMetrics(context.getMetricGroup(), this::inFlight, this::queuedRows));
    parser = RequestParser.forPipeline(lease.slot().served()).withExtensions(extensions);
    if (subtask == 0) {
      warnIfRowsInFlightCannotFillABatch();
    }
  }

  /**
   * Logs one warning when Flink lets fewer rows be in flight than one batch holds: rows of one
   * passage each then never fill a batch. {@link #open} calls it on the first subtask.
   */
  void warnIfRowsInFlightCannotFillABatch() {
    int batchRows = settings.batching().maxBatchSize();
    if (maxConcurrentOperations < batchRows) {
      LOG.warn(
          "rerankflow model: Flink lets only {} rows per slot be in flight ({}, or"
              + " 'max-concurrent-operations' in ML_PREDICT's config map), fewer than the {} rows"
              + " of one batch ('max-batch-size'): rows of one passage each cannot fill a batch."
              + " Raise it, e.g. SET '{}' = '{}'",
          maxConcurrentOperations,
          FlinkAsyncSettings.MAX_CONCURRENT_OPERATIONS,
          batchRows,
          FlinkAsyncSettings.MAX_CONCURRENT_OPERATIONS,
          Math.max(256, 2 * batchRows));
    }
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
    CompletableFuture<Collection<RowData>> result = new CompletableFuture<>();
    ParseResult parsed = parser.parseObject(rows.requestBody(input), ORIGIN);
    if (parsed instanceof ParseResult.Rejected rejected) {
      result.complete(List.of(rows.resultRow(rejected.toOutput())));
      return result;
    }
    var request = ((ParseResult.Accepted) parsed).request();
    SlotEngine slot = lease.slot();
    failIfFailed(slot);
    // The slot answers a row whose deadline passes before it is batched with a timeout error,
    // unscored; a failed slot fails the job, so that Flink restores it with a fresh one.
    Submission submission;
    try {
      submission =
          slot.submit(
              request,
              Deadline.after(timeout),
              out -> {
                Optional<Throwable> failed = slot.failure();
                if (failed.isPresent()) {
                  result.completeExceptionally(engineFailed(failed.get()));
                } else {
                  result.complete(List.of(rows.resultRow(out)));
                }
              });
    } catch (InterruptedException e) {
      // Blocked on a full slot while the task is cancelled.
      Thread.currentThread().interrupt();
      result.completeExceptionally(e);
      return result;
    }
    // Answered by the timeout below: nobody waits for the row, so its rows leave the engine.
    result.whenComplete((answer, error) -> submission.cancel());
    // Flink's own async timeout fails the job; this one, shorter, answers the row instead.
    return result.completeOnTimeout(
        List.of(
            rows.resultRow(
                RerankOutput.failed(
                    request.id(),
                    request.model(),
                    new RerankFailure(
                        ErrorKind.TIMEOUT,
                        "Row was not scored within the model's timeout (" + timeout + ")")))),
        timeout.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static void failIfFailed(SlotEngine slot) {
    Optional<Throwable> failed = slot.failure();
    if (failed.isPresent()) {
      throw engineFailed(failed.get());
    }
  }

  private static IllegalStateException engineFailed(Throwable cause) {
    return new IllegalStateException("The inference engine failed", cause);
  }

  private int inFlight() {
    SharedEngines.Lease current = lease;
    return current == null ? 0 : current.slot().inFlight();
  }

  private int queuedRows() {
    SharedEngines.Lease current = lease;
    return current == null ? 0 : current.slot().queuedRows();
  }

  @Override
  public void close() throws Exception {
    if (lease != null) {
      lease.close();
      lease = null;
    }
    super.close();
  }
}
