package io.rerankflow.edge;

import io.rerankflow.edge.RankingService.RankingAnswer;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;
import io.rerankflow.schemas.TransportHeaders;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's HTTP routes: {@code POST /v1/ranking} (gate, bounded read, ranking), the models,
 * health, metrics and OpenAPI routes. Further handlers mount on {@link #router()}.
 */
final class EdgeRoutes {
  static final String PIPELINE_TIME_HEADER = "X-Rerankflow-Pipeline-Ms";

  private static final Logger LOG = LoggerFactory.getLogger(EdgeRoutes.class);
  private static final String JSON = "application/json";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(2);
  private static final String SLOT = "rerankflow.slot";
  private static final String RESERVATION = "rerankflow.reservation";
  private static final String ARRIVAL_NANOS = "rerankflow.arrivalNanos";
  private static final String ARRIVAL_MILLIS = "rerankflow.arrivalMillis";

  private final Vertx vertx;
  private final EdgeOptions options;
  private final RankingService ranking;
  private final WorkAdmission admission;
  private final ValidationPool pool;
  private final ConnectionGuard guard;
  private final RequestPublisher publisher;
  private final ReplyListener replies;
  private final EdgeMetrics metrics;
  private final KeyAccess keys;
  private final NimServiceRoutes service;
  private final byte[] openApi;

  EdgeRoutes(
      Vertx vertx,
      EdgeOptions options,
      RankingService ranking,
      WorkAdmission admission,
      ValidationPool pool,
      ConnectionGuard guard,
      RequestPublisher publisher,
      ReplyListener replies,
      EdgeMetrics metrics,
      NimServiceRoutes service,
      byte[] openApi,
      KeyAccess keys) {
    this.vertx = vertx;
    this.options = options;
    this.ranking = ranking;
    this.admission = admission;
    this.pool = pool;
    this.guard = guard;
    this.publisher = publisher;
    this.replies = replies;
    this.metrics = metrics;
    this.keys = keys;
    this.service = service;
    this.openApi = openApi;
  }

  /** The router with every route of the edge mounted. */
  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(this::guarded);
    router.post("/v1/ranking").handler(this::timed);
    if (keys != null) {
      router.post("/v1/ranking").handler(keys::authorise);
      router.post("/v1/ranking").handler(keys::quota);
      router.get("/v1/models").handler(keys::authorise);
      if (options.metricsNeedKey) {
        router.get("/v1/metrics").handler(keys::authorise);
      }
      if (options.healthNeedsKey) {
        router.get("/v1/health/*").handler(keys::authorise);
      }
    }
    router.post("/v1/ranking").handler(this::gate);
    router.post("/v1/ranking").handler(BodyHandler.create(false).setBodyLimit(options.maxBodySize));
    router.post("/v1/ranking").handler(this::rank);
    router.post("/v1/ranking").failureHandler(EdgeRoutes::clientGone);
    router.get("/v1/models").handler(ctx -> json(ctx.response(), 200, service.modelsBody()));
    router.get("/v1/health/live").handler(this::live);
    router.get("/v1/health/ready").handler(this::ready);
    router
        .get("/v1/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
    router
        .get("/openapi.yaml")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "application/yaml")
                    .end(Buffer.buffer(openApi)));
    service.mount(router);
    // BodyHandler fails the request with 413 when the body is over --max-body-size.
    router.errorHandler(
        413,
        ctx ->
            error(
                ctx.response(),
                new RerankFailure(
                    ErrorKind.REQUEST_TOO_LARGE,
                    "Request body is larger than "
                        + options.maxBodySize
                        + " bytes (--max-body-size)"),
                0));
    router.errorHandler(
        500,
        ctx -> {
          LOG.error("A route failed", ctx.failure());
          error(
              ctx.response(),
              new RerankFailure(
                  ErrorKind.BACKEND_FAILURE, "The edge could not complete the request"),
              0);
        });
    return router;
  }

  /** A connection closed mid-body (by the client or the guard) has nobody left to answer. */
  private static void clientGone(RoutingContext ctx) {
    if (!(ctx.failure() instanceof HttpClosedException)) {
      ctx.next();
    }
  }

  /** Every request: the connection's idle and cap rules ({@link ConnectionGuard}). */
  private void guarded(RoutingContext ctx) {
    boolean allowed = guard.started(ctx.request());
    ctx.addEndHandler(v -> guard.ended(ctx.request()));
    if (allowed) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("connection", "close");
    error(
        ctx.response(),
        new RerankFailure(
            ErrorKind.OVERLOADED,
            "Too many connections (at most " + options.maxConnections + ", --max-connections)"),
        1);
    afterBody(ctx.request(), () -> ctx.request().connection().close());
  }

  /**
   * Reads and drops the rest of a refused request's body, then runs {@code then}: closing a socket
   * with unread input resets it, and the client would lose its answer.
   */
  static void afterBody(HttpServerRequest request, Runnable then) {
    if (request.isEnded()) {
      then.run();
      return;
    }
    request.handler(chunk -> {});
    request.endHandler(v -> then.run());
    request.resume();
  }

  /** Counts and times every ranking answer, whichever handler gives it. */
  private void timed(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.put(ARRIVAL_NANOS, start);
    ctx.put(ARRIVAL_MILLIS, System.currentTimeMillis());
    ctx.addBodyEndHandler(
        v -> metrics.answered(ctx.response().getStatusCode(), System.nanoTime() - start));
    ctx.next();
  }

  /**
   * Before the body is read: reserves the pairs its declared size suggests ({@link
   * WorkAdmission#reserve}) and refuses at once when they would not be admitted, or when every
   * validation slot is taken (a slot bounds the bodies buffered at once).
   */
  private void gate(RoutingContext ctx) {
    String declared = ctx.request().getHeader("content-length");
    long bytes = 0;
    try {
      bytes = declared == null ? 0 : Math.min(Long.parseLong(declared), options.maxBodySize);
    } catch (NumberFormatException e) {
      // Vert.x answers a malformed length itself; estimate nothing here.
    }
    WorkAdmission.Reservation reservation =
        admission.reserve(WorkAdmission.estimatedPairs(bytes), ranking.timeout().toNanos());
    if (!reservation.admitted()) {
      long retryAfter = reservation.retryAfterSeconds();
      error(
          ctx.response(),
          new RerankFailure(
              ErrorKind.OVERLOADED,
              "The pipeline is busy for longer than --request-timeout; retry in "
                  + retryAfter
                  + " s"),
          retryAfter);
      afterBody(ctx.request(), () -> {});
      return;
    }
    ctx.addEndHandler(v -> reservation.release());
    Runnable slot = pool.tryEnter();
    if (slot == null) {
      reservation.release();
      error(
          ctx.response(),
          new RerankFailure(
              ErrorKind.OVERLOADED,
              "Too many requests being read or validated (at most "
                  + options.maxValidating
                  + ", --max-validating); retry later"),
          1);
      afterBody(ctx.request(), () -> {});
      return;
    }
    ctx.put(SLOT, slot);
    ctx.put(RESERVATION, reservation);
    ctx.addEndHandler(v -> slot.run());
    ctx.next();
  }

  private void rank(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    byte[] body = buffer == null ? new byte[0] : buffer.getBytes();
    long arrivalNanos = ctx.get(ARRIVAL_NANOS);
    long arrivalMillis = ctx.get(ARRIVAL_MILLIS);
    IntConsumer charge = KeyAccess.charge(keys, ctx);
    WorkAdmission.Reservation reservation = ctx.get(RESERVATION);
    pool.run(
            () -> ranking.rank(body, arrivalNanos, arrivalMillis, reservation, charge),
            ctx.get(SLOT))
        .compose(answer -> Future.fromCompletionStage(answer, ctx.vertx().getOrCreateContext()))
        .onComplete(
            result -> {
              HttpServerResponse response = ctx.response();
              if (response.closed() || response.ended()) {
                return; // the client left; its pairs were freed when its answer came
              }
              if (result.failed()) {
                LOG.error("A ranking request failed at the edge", result.cause());
                error(
                    response,
                    new RerankFailure(
                        ErrorKind.BACKEND_FAILURE, "The edge could not complete the request"),
                    0);
                return;
              }
              answer(response, result.result());
            });
  }

  private void answer(HttpServerResponse response, RankingAnswer answer) {
    if (answer.pipelineMillis() >= 0) {
      metrics.pipelineTook(answer.pipelineMillis());
      response.putHeader(PIPELINE_TIME_HEADER, Long.toString(answer.pipelineMillis()));
    }
    if (answer.stages() != null) {
      response.putHeader(
          StageTimes.HEADER, answer.stages().serverTiming(TransportHeaders.nowMicros()));
    }
    if (answer.failure() == null) {
      json(response, 200, answer.body());
    } else {
      error(response, answer.failure(), answer.retryAfterSeconds());
    }
  }

  /** Live while the reply listener runs: without it no ranking can be answered. */
  private void live(RoutingContext ctx) {
    boolean live = replies.live();
    json(
        ctx.response(),
        live ? 200 : 503,
        live ? NimServiceRoutes.LIVE : NimServiceRoutes.notLive("reply listener not running"));
  }

  private void ready(RoutingContext ctx) {
    boolean listening = replies.live();
    Future.fromCompletionStage(
            publisher.brokerReachable(READY_TIMEOUT), ctx.vertx().getOrCreateContext())
        .onComplete(
            reachable -> {
              boolean broker = reachable.succeeded() && reachable.result();
              boolean ready = broker && listening;
              json(
                  ctx.response(),
                  ready ? 200 : 503,
                  ready
                      ? NimServiceRoutes.READY
                      : NimServiceRoutes.notReady(
                          !broker ? "Kafka brokers unreachable" : "reply listener not running"));
            });
  }

  /** A NIM error body; a 503 or 429 carries {@code Retry-After} (seconds, at least 1). */
  static void error(HttpServerResponse response, RerankFailure failure, long retryAfterSeconds) {
    if (failure.status() == 503 || failure.status() == 429) {
      response.putHeader("retry-after", Long.toString(Math.max(1, retryAfterSeconds)));
    }
    json(response, failure.status(), NimError.body(failure));
  }

  static void json(HttpServerResponse response, int status, String body) {
    response.setStatusCode(status).putHeader("content-type", JSON).end(body);
  }
}
