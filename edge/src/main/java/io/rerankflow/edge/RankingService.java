package io.rerankflow.edge;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RequestJson;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/ranking} without the HTTP: parse, admit by work ({@link WorkAdmission}), check
 * lengths, publish with the deadline, wait, and turn the job's output into the NIM's answer.
 */
final class RankingService {
  private static final Logger LOG = LoggerFactory.getLogger(RankingService.class);

  private final RequestValidator validator;
  private final RequestPublisher publisher;
  private final ReplyListener replies;
  private final WorkAdmission admission;
  private final int publishLimit;
  private final Duration timeout;
  private final AtomicInteger inFlight = new AtomicInteger();

  RankingService(
      RequestValidator validator,
      RequestPublisher publisher,
      ReplyListener replies,
      WorkAdmission admission,
      int publishLimit,
      Duration timeout) {
    this.validator = validator;
    this.publisher = publisher;
    this.replies = replies;
    this.admission = admission;
    this.publishLimit = publishLimit;
    this.timeout = timeout;
  }

  /** The request time budget every ranking starts with (--request-timeout). */
  Duration timeout() {
    return timeout;
  }

  /**
   * Ranks one HTTP body that arrived at {@code arrivalNanos} ({@link System#nanoTime()}) and {@code
   * arrivalMillis} (epoch), holding {@code reservation} from the gate before it was read (null:
   * none). Parsing, tokenising under {@code truncate: NONE} and handing the record to the Kafka
   * producer happen on the calling thread, so call it off the event loop. {@code admittedPairs}
   * learns the request's pairs once admission takes it (the key's quota pays them).
   */
  CompletableFuture<RankingAnswer> rank(
      byte[] body,
      long arrivalNanos,
      long arrivalMillis,
      WorkAdmission.Reservation reservation,
      IntConsumer admittedPairs) {
    ParseResult parsed = validator.parse(body);
    if (parsed instanceof ParseResult.Rejected rejected) {
      if (reservation != null) {
        reservation.release();
      }
      return done(RankingAnswer.failed(rejected.failure()));
    }
    RankingRequest request = ((ParseResult.Accepted) parsed).request();
    int pairs = request.passages().size();
    long budgetNanos = arrivalNanos + timeout.toNanos() - System.nanoTime();
    WorkAdmission.Decision decision = admission.tryAdmit(pairs, budgetNanos, reservation);
    if (!decision.admitted()) {
      return done(
          RankingAnswer.overloaded(
              new RerankFailure(
                  ErrorKind.OVERLOADED,
                  "The pipeline cannot score "
                      + pairs
                      + " more pairs within --request-timeout; retry in "
                      + decision.retryAfterSeconds()
                      + " s"),
              decision.retryAfterSeconds()));
    }
    admittedPairs.accept(pairs);
    inFlight.incrementAndGet();
    try {
      return admitted(
          request, pairs, budgetNanos, arrivalMillis + timeout.toMillis(), arrivalNanos);
    } catch (RuntimeException | Error e) {
      finish(pairs, false);
      throw e;
    }
  }

  private CompletableFuture<RankingAnswer> admitted(
      RankingRequest request, int pairs, long budgetNanos, long deadlineMillis, long arrivalNanos) {
    RerankFailure tooLong = validator.tooLong(request);
    if (tooLong != null) {
      finish(pairs, false);
      return done(RankingAnswer.failed(tooLong));
    }
    String id = replies.newId(UUID.randomUUID().toString());
    byte[] value =
        RequestJson.toPipelineJson(
            new RankingRequest(
                id,
                request.model(),
                request.query(),
                request.passages(),
                request.truncate(),
                request.response()));
    if (value.length > publishLimit) {
      finish(pairs, false);
      return done(RankingAnswer.failed(tooLargeToPublish(value.length)));
    }
    long now = System.currentTimeMillis();
    long receivedMicros = TransportHeaders.nowMicros() - (System.nanoTime() - arrivalNanos) / 1_000;
    CompletableFuture<PipelineReply> reply = replies.expect(id, now);
    // From here the pairs are freed exactly once, when the reply future completes however.
    CompletableFuture<RankingAnswer> answered =
        reply.handle(
            (answer, error) -> {
              finish(pairs, error == null && !answer.output().isError());
              return error == null ? answer(answer) : failure(error);
            });
    reply.orTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(budgetNanos)), TimeUnit.MILLISECONDS);
    try {
      publisher
          .publish(id, value, now, deadlineMillis, receivedMicros)
          .whenComplete(
              (sent, error) -> {
                if (error != null) {
                  reply.completeExceptionally(error);
                }
              });
    } catch (RuntimeException e) {
      reply.completeExceptionally(e);
    }
    return answered;
  }

  private void finish(int pairs, boolean scored) {
    inFlight.decrementAndGet();
    admission.finished(pairs, scored);
  }

  /** Requests admitted and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  private RerankFailure tooLargeToPublish(int bytes) {
    return new RerankFailure(
        ErrorKind.REQUEST_TOO_LARGE,
        "Request is "
            + bytes
            + " bytes as published, over the pipeline's limit of "
            + publishLimit
            + " bytes (Kafka max.request.size); send fewer or shorter passages");
  }

  private static CompletableFuture<RankingAnswer> done(RankingAnswer answer) {
    return CompletableFuture.completedFuture(answer);
  }

  private static RankingAnswer answer(PipelineReply reply) {
    RerankOutput output = reply.output();
    return output.isError()
        ? new RankingAnswer(null, output.failure(), reply.pipelineMillis(), 1, reply.stages())
        : new RankingAnswer(
            OutputJson.toNimResponseJson(output), null, reply.pipelineMillis(), 0, reply.stages());
  }

  /** The client's answer for a failure on the edge's side: never the exception's own text. */
  private RankingAnswer failure(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return RankingAnswer.failed(
          new RerankFailure(
              ErrorKind.TIMEOUT,
              "Request was not answered within " + timeout.toSeconds() + " s (--request-timeout)"));
    }
    if (cause instanceof RequestPublisher.PublishException published) {
      return switch (published.failure) {
        case TOO_LARGE ->
            RankingAnswer.failed(
                new RerankFailure(
                    ErrorKind.REQUEST_TOO_LARGE,
                    "Request is larger than the pipeline's Kafka brokers take (their"
                        + " message.max.bytes); send fewer or shorter passages"));
        case UNAVAILABLE ->
            RankingAnswer.overloaded(
                new RerankFailure(
                    ErrorKind.OVERLOADED,
                    "The pipeline's Kafka brokers did not take the request; retry later"),
                1);
      };
    }
    LOG.error("A ranking request failed at the edge", cause);
    return RankingAnswer.failed(
        new RerankFailure(ErrorKind.BACKEND_FAILURE, "The edge could not complete the request"));
  }

  /**
   * What {@code POST /v1/ranking} answers.
   *
   * @param body the NIM response body (rankings, usage), or null on a failure
   * @param failure why it failed, or null on a ranking
   * @param pipelineMillis the job's share of the time ({@link PipelineReply}), -1 when the request
   *     never reached it
   * @param retryAfterSeconds for a 503, when capacity is expected
   * @param stages where the time went when the job answered, else null
   */
  record RankingAnswer(
      String body,
      RerankFailure failure,
      long pipelineMillis,
      long retryAfterSeconds,
      StageTimes stages) {
    static RankingAnswer failed(RerankFailure failure) {
      return new RankingAnswer(null, failure, -1, 1, null);
    }

    static RankingAnswer overloaded(RerankFailure failure, long retryAfterSeconds) {
      return new RankingAnswer(null, failure, -1, retryAfterSeconds, null);
    }
  }
}
