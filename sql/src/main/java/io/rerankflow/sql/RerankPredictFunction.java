package io.rerankflow.sql;

import io.rerankflow.inference.Deadline;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.InferenceEngine;
import io.rerankflow.inference.Submission;
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
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * {@code ML_PREDICT} over a rerankflow model: each row becomes a NIM request, validated by the file
 * job's {@link RequestParser} and scored by the slot's shared engine, which batches pairs across
 * rows. Every row gets exactly one result row, a ranking or an error; a bad row never fails the
 * job. Public: the planner's generated code instantiates it by reflection.
 */
public final class RerankPredictFunction extends AsyncPredictFunction {
  private static final long serialVersionUID = 1L;

  /** Rows carry no id of their own; messages name the row's origin instead. */
  private static final RecordOrigin ORIGIN = new RecordOrigin("row", "ML_PREDICT input row");

  private final EngineSettings settings;
  private final NimRows rows;
  private final boolean extensions;
  private final Duration timeout;

  private transient SharedEngines.Lease lease;
  private transient RequestParser parser;

  /**
   * @param extensions whether the rows' requests use {@code top_n}
   * @param timeout how long a row may wait before it becomes a timeout error
   */
  RerankPredictFunction(
      EngineSettings settings, NimRows rows, boolean extensions, Duration timeout) {
    this.settings = settings;
    this.rows = rows;
    this.extensions = extensions;
    this.timeout = timeout;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    lease =
        SharedEngines.acquire(
            settings,
            context.getTaskInfo().getIndexOfThisSubtask(),
            context.getTaskInfo().getNumberOfParallelSubtasks());
    parser = RequestParser.forPipeline(lease.served()).withExtensions(extensions);
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
    CompletableFuture<Collection<RowData>> result = new CompletableFuture<>();
    ParseResult parsed = parser.parse(rows.requestBody(input), ORIGIN);
    if (parsed instanceof ParseResult.Rejected rejected) {
      result.complete(List.of(rows.resultRow(rejected.toOutput())));
      return result;
    }
    var request = ((ParseResult.Accepted) parsed).request();
    InferenceEngine engine = lease.engine();
    // The engine answers a row whose deadline passes before it is batched with a timeout error,
    // unscored; a failed engine fails the job, so that Flink restores it with a fresh one.
    Submission submission =
        engine.submit(
            request,
            Deadline.after(timeout),
            out -> {
              Optional<Throwable> failed = engine.failure();
              if (failed.isPresent()) {
                result.completeExceptionally(
                    new IllegalStateException("The inference engine failed", failed.get()));
              } else {
                result.complete(List.of(rows.resultRow(out)));
              }
            });
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

  @Override
  public void close() throws Exception {
    if (lease != null) {
      lease.close();
      lease = null;
    }
    super.close();
  }
}
