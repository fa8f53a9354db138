package io.rerankflow.operators;

import io.rerankflow.inference.Deadline;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.LoadedModel;
import io.rerankflow.inference.ModelDirectory;
import io.rerankflow.inference.SessionSettings;
import io.rerankflow.inference.SlotEngine;
import io.rerankflow.inference.SlotSettings;
import io.rerankflow.inference.Submission;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RequestParser;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.schemas.TransportHeaders.Stage;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The reranking operator, a thin adapter over the slot's {@link SlotEngine}: validates each request
 * and hands it to the slot engine, which tokenises it on the slot's cores and batches it with the
 * rest; the task thread blocks only when the stage or the engine holds its bound. Every request
 * completes with exactly one output, a ranking or an error record; bad data never fails the job. A
 * request past the deadline the edge stamped ({@link TransportHeaders#DEADLINE}) or past the
 * operator's timeout leaves the stage or the engine unscored and is answered {@code timeout}. A
 * failed engine or encoding thread (an {@link Error}) fails the task, so that Flink restores it.
 */
public class RerankAsyncFunction extends RichAsyncFunction<RawRequest, RerankOutput> {
  private static final long serialVersionUID = 1L;

  private final EngineSettings settings;
  private final boolean extensions;

  private transient volatile SlotEngine slot;
  private transient RequestParser parser;

  /** Requests handed to the engine and not yet answered, by identity, to withdraw on timeout. */
  private transient Map<RawRequest, InFlight> submissions;

  /** Strict NIM requests: {@code top_n} and {@code return_text} are unknown fields. */
  public RerankAsyncFunction(EngineSettings settings) {
    this(settings, false);
  }

  /**
   * @param extensions whether requests may use {@code top_n} and {@code return_text}
   */
  public RerankAsyncFunction(EngineSettings settings, boolean extensions) {
    this.settings = settings;
    this.extensions = extensions;
  }

  @Override
  public void open(OpenContext openContext) {
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    SlotSettings slotSettings =
        new SlotSettings(
            settings,
            subtask,
            SlotCores.slotsSharingCores(getRuntimeContext()),
            SlotCores.coresPerSlot(getRuntimeContext()),
            Device.visibleGpus(),
            "rerankflow-" + subtask);
    submissions = Collections.synchronizedMap(new IdentityHashMap<>());
    EngineMetrics metrics =
        new EngineMetrics(getRuntimeContext().getMetricGroup(), this::inFlight, this::queuedRows);
    slot = SlotEngine.open(slotSettings, metrics, this::load);
    parser = RequestParser.forPipeline(slot.served()).withExtensions(extensions);
  }

  /** Loads one model for this slot's engine. */
  protected LoadedModel load(ModelDirectory dir, SessionSettings session) {
    return LoadedModel.load(dir, session);
  }

  @Override
  public void asyncInvoke(RawRequest raw, ResultFuture<RerankOutput> result)
      throws InterruptedException {
    // The callback may run while close() shuts the engine down, after the field is cleared.
    long invokedMicros = TransportHeaders.nowMicros();
    SlotEngine current = slot;
    failIfFailed(current);
    ParseResult parsed = parser.parse(raw.payload, raw.recordOrigin());
    if (!(parsed instanceof ParseResult.Accepted accepted)) {
      complete(result, ((ParseResult.Rejected) parsed).toOutput(), raw, invokedMicros);
      return;
    }
    OptionalLong deadlineMillis = TransportHeaders.deadlineMillis(raw.headers);
    Deadline deadline =
        deadlineMillis.isPresent()
            ? Deadline.atEpochMillis(deadlineMillis.getAsLong())
            : Deadline.NONE;
    // Registered before submitting: the engine may answer before submit returns.
    InFlight entry = new InFlight();
    submissions.put(raw, entry);
    entry.submission =
        current.submit(
            accepted.request(),
            deadline,
            out -> {
              submissions.remove(raw, entry);
              Optional<Throwable> failed = current.failure();
              if (failed.isPresent()) {
                result.completeExceptionally(engineFailed(failed.get()));
              } else {
                complete(result, out, raw, invokedMicros);
              }
            });
  }

  @Override
  public void timeout(RawRequest raw, ResultFuture<RerankOutput> result) {
    InFlight entry = submissions.remove(raw);
    if (entry != null && entry.submission != null) {
      // Nobody waits for it any more: its rows leave the engine unscored.
      entry.submission.cancel();
    }
    ParseResult parsed = parser.parse(raw.payload, raw.recordOrigin());
    String id;
    String model;
    if (parsed instanceof ParseResult.Accepted accepted) {
      id = accepted.request().id();
      model = accepted.request().model();
    } else {
      id = ((ParseResult.Rejected) parsed).id();
      model = ((ParseResult.Rejected) parsed).model();
    }
    complete(
        result,
        RerankOutput.failed(
            id,
            model,
            new RerankFailure(
                ErrorKind.TIMEOUT,
                "Request was not scored within the operator timeout (--timeout)")),
        raw,
        0);
  }

  /**
   * A failed engine answers everything {@code backend_failure}; instead of writing those records
   * the task fails, so that Flink restores it from the last checkpoint with a fresh engine.
   */
  private static void failIfFailed(SlotEngine slot) {
    Optional<Throwable> failed = slot.failure();
    if (failed.isPresent()) {
      throw engineFailed(failed.get());
    }
  }

  private static IllegalStateException engineFailed(Throwable cause) {
    return new IllegalStateException(
        "The inference engine failed; failing the task so that it is restored", cause);
  }

  private static void complete(
      ResultFuture<RerankOutput> result, RerankOutput out, RawRequest raw, long invokedMicros) {
    result.complete(Collections.singleton(withHeaders(out, raw, invokedMicros)));
  }

  /**
   * Hands the request's transport headers (e.g. Kafka reply-to) on to its one output; a traced
   * request ({@link TransportHeaders#traced}) also gets this operator's and the engine's stage
   * timestamps, the last of them {@link Stage#SCORED}, now.
   */
  private static RerankOutput withHeaders(RerankOutput out, RawRequest raw, long invokedMicros) {
    Map<String, byte[]> engineStamps = out.headers;
    out.headers = raw.headers;
    if (TransportHeaders.traced(raw.headers)) {
      long scored = TransportHeaders.nowMicros();
      Map<String, byte[]> headers = new LinkedHashMap<>(raw.headers);
      if (invokedMicros != 0) {
        headers.put(Stage.INVOKED.header(), TransportHeaders.microsValue(invokedMicros));
      }
      if (engineStamps != null) {
        headers.putAll(engineStamps);
      }
      headers.put(Stage.SCORED.header(), TransportHeaders.microsValue(scored));
      out.headers = headers;
    }
    return out;
  }

  private int inFlight() {
    SlotEngine current = slot;
    return current == null ? 0 : current.inFlight();
  }

  private int queuedRows() {
    SlotEngine current = slot;
    return current == null ? 0 : current.queuedRows();
  }

  @Override
  public void close() {
    SlotEngine current = slot;
    if (current != null) {
      current.close();
      slot = null;
    }
  }

  /** A request's handle in the engine, set once {@code submit} returns. */
  private static final class InFlight {
    private volatile Submission submission;
  }
}
