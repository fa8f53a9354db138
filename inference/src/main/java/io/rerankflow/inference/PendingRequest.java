package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.schemas.TransportHeaders.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request inside the engine: collects its rows' outputs into a ranking and answers exactly
 * once, whoever gets there first (the last row scored, a failed batch, its deadline, its caller
 * withdrawing it, the engine failing). Rows and outputs are touched by the batching thread only;
 * answering and leaving are safe from any thread.
 */
final class PendingRequest {
  private static final Logger LOG = LoggerFactory.getLogger(PendingRequest.class);

  private final EncodedRequest encoded;
  private final LoadedModel model;
  private final Deadline deadline;
  private final int permits;
  private final Consumer<RerankOutput> done;
  private final long submittedNanos;
  private final long submittedMicros = TransportHeaders.nowMicros();
  private final long sequence;
  private final float[][] outputs;
  private final List<RowPool.Row<PendingRequest>> rows;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final AtomicBoolean left = new AtomicBoolean();
  private int remaining;
  private boolean started;
  private volatile long startedMicros;

  PendingRequest(
      EncodedRequest encoded,
      LoadedModel model,
      Deadline deadline,
      int permits,
      Consumer<RerankOutput> done,
      long submittedNanos,
      long sequence) {
    this.encoded = encoded;
    this.model = model;
    this.deadline = deadline;
    this.permits = permits;
    this.done = done;
    this.submittedNanos = submittedNanos;
    this.sequence = sequence;
    this.outputs = new float[encoded.sequences().size()][];
    this.rows = new ArrayList<>(outputs.length);
    this.remaining = outputs.length;
  }

  LoadedModel model() {
    return model;
  }

  Deadline deadline() {
    return deadline;
  }

  /** Admission permits it holds until it leaves the engine. */
  int permits() {
    return permits;
  }

  /** Submission order, to break ties between equal deadlines. */
  long sequence() {
    return sequence;
  }

  List<EncodedSequence> sequences() {
    return encoded.sequences();
  }

  /** The pool rows it waits on, by position; filled as its rows join the pool. */
  List<RowPool.Row<PendingRequest>> rows() {
    return rows;
  }

  boolean isAnswered() {
    return answered.get();
  }

  /** Takes the right to answer; true for the one caller that gets it. */
  boolean claim() {
    return answered.compareAndSet(false, true);
  }

  /** Marks it gone from the engine's books; true the first time. */
  boolean leave() {
    return left.compareAndSet(false, true);
  }

  /** The first time one of its rows goes into a batch. */
  void start(long now, EngineListener listener) {
    if (!started) {
      started = true;
      startedMicros = submittedMicros + (now - submittedNanos) / 1_000;
      listener.requestStarted(now - submittedNanos);
    }
  }

  /** Stores one row's output; true when it was the last one. */
  boolean accept(int position, float[] output) {
    outputs[position] = output;
    return --remaining == 0;
  }

  /** The ranking, once every row is in. */
  RerankOutput ranked() {
    RankingRequest request = encoded.request();
    RerankOutput ranked =
        RerankOutput.ranked(
            request.id(), request.model(), model.encoder().logits(outputs), encoded.promptTokens());
    return request.response().shape(ranked, request.passages());
  }

  RerankOutput failed(RerankFailure failure) {
    return failed(encoded.request(), failure);
  }

  RerankOutput expired() {
    return failed(EngineFailures.expired());
  }

  int passages() {
    return encoded.request().passages().size();
  }

  /**
   * Answers with {@code output} unless already answered; returns whether it did. A callback that
   * throws an exception has failed its own request only; an {@link Error} goes on up. The output
   * carries when the request entered the engine and first went into a batch ({@link Stage#ENCODED},
   * {@link Stage#BATCHED}) in its headers, for a door that traces requests.
   */
  boolean answer(RerankOutput output) {
    if (!claim()) {
      return false;
    }
    output.headers = TransportHeaders.stamped(output.headers, Stage.ENCODED, submittedMicros);
    long batched = startedMicros;
    if (batched != 0) {
      output.headers.put(Stage.BATCHED.header(), TransportHeaders.microsValue(batched));
    }
    deliver(done, output, encoded.request().id());
    return true;
  }

  static RerankOutput failed(RankingRequest request, RerankFailure failure) {
    return RerankOutput.failed(request.id(), request.model(), failure);
  }

  /** Hands {@code output} to {@code done}; an exception there is logged, not passed on. */
  static void deliver(Consumer<RerankOutput> done, RerankOutput output, String id) {
    try {
      done.accept(output);
    } catch (RuntimeException e) {
      LOG.error("the callback for request {} failed", id, e);
    }
  }
}
