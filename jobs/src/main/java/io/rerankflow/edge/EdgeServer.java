package io.rerankflow.edge;

import io.rerankflow.edge.RankingService.RankingAnswer;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The synchronous HTTP edge: serves the NIM's {@code POST /v1/ranking} by publishing each request
 * to the job's requests topic and answering with its result. A process of its own (Vert.x, no
 * Flink); several instances can serve one job.
 */
@Command(
    name = "edge",
    mixinStandardHelpOptions = true,
    description =
        "Serve the NIM's POST /v1/ranking over HTTP, with the scoring done by a running rerankflow"
            + " job (--source kafka --sink kafka).")
public final class EdgeServer implements Callable<Integer>, AutoCloseable {
  static final String OPENAPI_RESOURCE = "/io/rerankflow/edge/openapi.yaml";

  /** How long a client is asked to wait after a 503, in seconds. */
  static final String RETRY_AFTER_SECONDS = "1";

  static final String PIPELINE_TIME_HEADER = "X-Rerankflow-Pipeline-Ms";
  private static final String JSON = "application/json";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

  @Mixin private EdgeOptions options = new EdgeOptions();

  private Vertx vertx;
  private HttpServer server;
  private RequestValidator validator;
  private PipelineClient pipeline;
  private RankingService ranking;
  private EdgeMetrics metrics;
  private ApiKeyCheck apiKey;
  private NimServiceRoutes service;
  private byte[] openApi;

  public EdgeServer() {}

  private EdgeServer(EdgeOptions options) {
    this.options = options;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new EdgeServer()).execute(args));
  }

  /** Starts an edge with {@code options}; returns once it listens. */
  public static EdgeServer start(EdgeOptions options) throws Exception {
    EdgeServer edge = new EdgeServer(options);
    try {
      edge.startServing();
    } catch (Exception | Error e) {
      edge.close();
      throw e;
    }
    return edge;
  }

  @Override
  public Integer call() throws Exception {
    startServing();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  close();
                  stopped.countDown();
                },
                "edge-shutdown"));
    System.out.println(
        "Edge "
            + options.instanceId
            + " serving "
            + String.join(", ", validator.models().names())
            + " on http://"
            + options.host
            + ":"
            + port()
            + "/v1/ranking (topics "
            + options.requestsTopic
            + " -> "
            + options.resultsTopic
            + " at "
            + options.bootstrapServers
            + "); Ctrl-C stops it");
    stopped.await();
    return 0;
  }

  private void startServing() throws Exception {
    options.validate();
    validator = RequestValidator.load(options.models, options.extensions);
    pipeline =
        PipelineClient.start(
            options.bootstrapServers,
            options.requestsTopic,
            options.resultsTopic,
            options.instanceId,
            options.kafkaProperties,
            START_TIMEOUT);
    ranking = new RankingService(validator, pipeline, options.maxInFlight, options.requestTimeout);
    metrics = new EdgeMetrics(ranking::inFlight, pipeline::published, pipeline::lateReplies);
    apiKey = options.apiKey == null ? null : new ApiKeyCheck(options.apiKey, options.apiKeyHeader);
    try (InputStream in = EdgeServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      openApi = in.readAllBytes();
    }
    service = new NimServiceRoutes(validator.models(), openApi);
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost(options.host).setPort(options.port))
            .requestHandler(router())
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.post("/v1/ranking").handler(this::timed);
    if (apiKey != null) {
      router.post("/v1/ranking").handler(this::authorised);
      router.get("/v1/models").handler(this::authorised);
    }
    router.post("/v1/ranking").handler(BodyHandler.create(false).setBodyLimit(options.maxBodySize));
    router.post("/v1/ranking").handler(this::rank);
    router.get("/v1/models").handler(ctx -> json(ctx.response(), 200, service.modelsBody()));
    router.get("/v1/health/live").handler(ctx -> json(ctx.response(), 200, NimServiceRoutes.LIVE));
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
                    .end(io.vertx.core.buffer.Buffer.buffer(openApi)));
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
                        + " bytes (--max-body-size)")));
    return router;
  }

  /** Counts and times every ranking answer, whichever handler gives it. */
  private void timed(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addBodyEndHandler(
        v -> metrics.answered(ctx.response().getStatusCode(), System.nanoTime() - start));
    ctx.next();
  }

  private void authorised(RoutingContext ctx) {
    RerankFailure failure = apiKey.check(ctx.request().getHeader(apiKey.header()));
    if (failure == null) {
      ctx.next();
    } else {
      ctx.response().putHeader("www-authenticate", "Bearer");
      error(ctx.response(), failure);
    }
  }

  private void rank(RoutingContext ctx) {
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    // Validation tokenises and the producer may block on metadata: both off the event loop.
    vertx
        .executeBlocking(() -> ranking.rank(body), false)
        .compose(answer -> Future.fromCompletionStage(answer, ctx.vertx().getOrCreateContext()))
        .onComplete(
            result -> {
              HttpServerResponse response = ctx.response();
              if (response.closed() || response.ended()) {
                return; // the client left; its slot was freed when its answer came
              }
              if (result.failed()) {
                error(
                    response,
                    new RerankFailure(
                        ErrorKind.BACKEND_FAILURE, "Edge failure: " + result.cause()));
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
    if (answer.failure() == null) {
      json(response, 200, answer.body());
    } else {
      error(response, answer.failure());
    }
  }

  private void ready(RoutingContext ctx) {
    boolean assigned = pipeline.assigned();
    Future.fromCompletionStage(
            pipeline.brokerReachable(READY_TIMEOUT), ctx.vertx().getOrCreateContext())
        .onComplete(
            reachable -> {
              boolean broker = reachable.succeeded() && reachable.result();
              boolean ready = broker && assigned;
              json(
                  ctx.response(),
                  ready ? 200 : 503,
                  ready
                      ? NimServiceRoutes.READY
                      : NimServiceRoutes.notReady(
                          !broker ? "Kafka brokers unreachable" : "reply consumer not assigned"));
            });
  }

  private static void error(HttpServerResponse response, RerankFailure failure) {
    if (failure.status() == 503) {
      response.putHeader("retry-after", RETRY_AFTER_SECONDS);
    }
    json(response, failure.status(), NimError.body(failure));
  }

  private static void json(HttpServerResponse response, int status, String body) {
    response.setStatusCode(status).putHeader("content-type", JSON).end(body);
  }

  /** The port it listens on (the one chosen when {@code --port 0}). */
  public int port() {
    return server.actualPort();
  }

  /** Requests waiting for the pipeline now (admitted, not answered). */
  int inFlight() {
    return ranking.inFlight();
  }

  /** Requests this instance still holds a waiting entry for. */
  int waiting() {
    return pipeline.waiting();
  }

  @Override
  public void close() {
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      }
      vertx = null;
    }
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
    }
    if (validator != null) {
      validator.close();
      validator = null;
    }
  }
}
