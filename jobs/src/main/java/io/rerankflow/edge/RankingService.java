package io.rerankflow.edge;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.ParseResult;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.RerankOutput;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/ranking} without the HTTP: validate, admit under the in-flight bound, publish,
 * wait, and turn the job's output into the NIM's answer.
 */
final class RankingService {
  private final RequestValidator validator;
  private final PipelineClient pipeline;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final Duration timeout;

  RankingService(
      RequestValidator validator, PipelineClient pipeline, int maxInFlight, Duration timeout) {
    this.validator = validator;
    this.pipeline = pipeline;
    this.inFlight = new Semaphore(maxInFlight);
    this.maxInFlight = maxInFlight;
    this.timeout = timeout;
  }

  /**
   * Ranks one HTTP body. Validation (with tokenisation under {@code truncate: NONE}) and handing
   * the record to the Kafka producer happen on the calling thread, so call it off the event loop.
   */
  CompletableFuture<RankingAnswer> rank(byte[] body) {
    ParseResult parsed = validator.validate(body);
    if (parsed instanceof ParseResult.Rejected rejected) {
      return CompletableFuture.completedFuture(RankingAnswer.failed(rejected.failure()));
    }
    if (!inFlight.tryAcquire()) {
      return CompletableFuture.completedFuture(
          RankingAnswer.failed(
              new RerankFailure(
                  ErrorKind.OVERLOADED,
                  "Too many requests in flight (at most "
                      + maxInFlight
                      + ", --max-in-flight); retry later")));
    }
    CompletableFuture<PipelineReply> pending;
    try {
      pending = pipeline.submit(((ParseResult.Accepted) parsed).request(), timeout);
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    return pending.handle(
        (reply, error) -> {
          inFlight.release();
          return error == null ? answer(reply) : RankingAnswer.failed(failure(error));
        });
  }

  /** Requests admitted and not yet answered. */
  int inFlight() {
    return maxInFlight - inFlight.availablePermits();
  }

  private static RankingAnswer answer(PipelineReply reply) {
    RerankOutput output = reply.output();
    return output.isError()
        ? RankingAnswer.failed(output.failure(), reply.pipelineMillis())
        : RankingAnswer.ranked(OutputJson.toNimResponseJson(output), reply.pipelineMillis());
  }

  private RerankFailure failure(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return new RerankFailure(
          ErrorKind.TIMEOUT,
          "Request was not answered within " + timeout.toSeconds() + " s (--request-timeout)");
    }
    if (cause instanceof PipelineClient.PublishException) {
      return new RerankFailure(ErrorKind.OVERLOADED, cause.getMessage());
    }
    return new RerankFailure(ErrorKind.BACKEND_FAILURE, "Edge failure: " + cause);
  }

  /**
   * What {@code POST /v1/ranking} answers.
   *
   * @param body the NIM response body (rankings, usage), or null on a failure
   * @param failure why it failed, or null on a ranking
   * @param pipelineMillis the job's share of the time ({@link PipelineReply}), -1 when the request
   *     never reached it
   */
  record RankingAnswer(String body, RerankFailure failure, long pipelineMillis) {
    static RankingAnswer ranked(String body, long pipelineMillis) {
      return new RankingAnswer(body, null, pipelineMillis);
    }

    static RankingAnswer failed(RerankFailure failure) {
      return new RankingAnswer(null, failure, -1);
    }

    static RankingAnswer failed(RerankFailure failure, long pipelineMillis) {
      return new RankingAnswer(null, failure, pipelineMillis);
    }

    int status() {
      return failure == null ? 200 : failure.status();
    }
  }
}
