package io.rerankflow.edge;

import io.rerankflow.cli.KafkaCredentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The synchronous HTTP edge's lifecycle: opens the tokenizers, the Kafka clients and the HTTP
 * server in order, and closes them in reverse. It serves the NIM's {@code POST /v1/ranking} by
 * publishing each request to the job's requests topic and answering with its result; several
 * instances can serve one job. {@link EdgeCommand} is its command line.
 */
public final class EdgeServer implements AutoCloseable {
  static final String OPENAPI_RESOURCE = "/io/rerankflow/edge/openapi.yaml";

  /**
   * Bytes a published record needs beyond its value (key, correlation and deadline headers, record
   * framing), and the room the edge's re-serialisation with an id may add to a body.
   */
  static final int PUBLISH_OVERHEAD = 16 * 1024;

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final EdgeOptions options;
  private Vertx vertx;
  private HttpServer server;
  private RequestValidator validator;
  private RequestPublisher publisher;
  private ReplyListener replies;
  private ValidationPool pool;
  private RankingService ranking;
  private WorkAdmission admission;
  private ConnectionGuard guard;
  private ApiKeyFile keyFile;
  private TlsFiles tls;

  private EdgeServer(EdgeOptions options) {
    this.options = options;
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

  private void startServing() throws Exception {
    options.validate();
    validator = RequestValidator.load(options.models, options.extensions);
    Properties client = new Properties();
    client.putAll(options.kafkaProperties);
    client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
    KafkaCredentials.check(options.bootstrapServers, client);
    Properties producer = producerProperties(client, options.maxBodySize);
    int publishLimit =
        Integer.parseInt(producer.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG))
            - PUBLISH_OVERHEAD / 4;
    publisher =
        new RequestPublisher(
            options.requestsTopic,
            new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer()),
            Admin.create(
                with(client, AdminClientConfig.CLIENT_ID_CONFIG, "edge-" + options.instanceId)));
    publisher.requireTopics(List.of(options.requestsTopic, options.resultsTopic), START_TIMEOUT);
    Properties consumer = consumerProperties(client);
    replies =
        new ReplyListener(
            options.resultsTopic,
            options.instanceId,
            () ->
                new KafkaConsumer<>(
                    consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    replies.start(START_TIMEOUT);
    admission = new WorkAdmission(options.expectedPairsPerSecond);
    ranking =
        new RankingService(
            validator, publisher, replies, admission, publishLimit, options.requestTimeout);
    byte[] openApi = openApi();
    vertx = Vertx.vertx();
    pool = new ValidationPool(vertx, options.validationThreads, options.maxValidating);
    guard = new ConnectionGuard(vertx, options.idleTimeout, options.maxConnections);
    EdgeMetrics metrics = metrics();
    KeyAccess keys = keyAccess(metrics);
    EdgeRoutes routes =
        new EdgeRoutes(
            vertx,
            options,
            ranking,
            admission,
            pool,
            guard,
            publisher,
            replies,
            metrics,
            new NimServiceRoutes(validator.models(), openApi),
            openApi,
            keys);
    HttpServerOptions http =
        new HttpServerOptions()
            .setHost(options.host)
            .setPort(options.port)
            // HTTP/1.1 only: with h2c detection a connection exists only once it has
            // sent bytes, and a silent one would escape the guard.
            .setHttp2ClearTextEnabled(false)
            // A backstop only: the guard closes idle and half-sent connections sooner,
            // and a request waiting for its ranking is silent up to --request-timeout.
            .setIdleTimeout((int) options.requestTimeout.plus(options.idleTimeout).toSeconds());
    if (options.tlsCert != null) {
      tls = TlsFiles.open(options.tlsCert, options.tlsKey);
      tls.apply(http);
    }
    server =
        vertx
            .createHttpServer(http)
            .connectionHandler(guard::opened)
            .requestHandler(routes.router())
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (tls != null) {
      tls.follow(server, http);
    }
  }

  /** The key handlers of {@code --api-key} or {@code --api-keys}, or null when neither is given. */
  private KeyAccess keyAccess(EdgeMetrics metrics) {
    Supplier<ApiKeys> keys;
    if (options.apiKeys != null) {
      keyFile = ApiKeyFile.open(options.apiKeys);
      keys = keyFile::keys;
      metrics
          .gauge("rerankflow.edge.api.keys", "API keys in force", () -> keyFile.keys().size())
          .gauge(
              "rerankflow.edge.api.keys.reloads",
              "Changes of --api-keys taken into force since start",
              keyFile::reloads)
          .gauge(
              "rerankflow.edge.api.keys.rejected",
              "Changes of --api-keys refused as malformed (the previous keys stayed)",
              keyFile::rejected);
    } else if (options.apiKey != null) {
      ApiKeys single = ApiKeys.single(options.apiKey);
      keys = () -> single;
    } else {
      return null;
    }
    return new KeyAccess(new ApiKeyCheck(keys, options.apiKeyHeader), new KeyQuotas(), metrics);
  }

  private EdgeMetrics metrics() {
    return new EdgeMetrics()
        .gauge(
            "rerankflow.edge.in.flight",
            "Ranking requests admitted and waiting for the pipeline",
            ranking::inFlight)
        .gauge(
            "rerankflow.edge.in.flight.pairs",
            "Query-passage pairs admitted and not yet answered",
            admission::inFlightPairs)
        .gauge(
            "rerankflow.edge.in.flight.pairs.peak",
            "Most pairs in flight at once since start",
            admission::peakInFlightPairs)
        .gauge(
            "rerankflow.edge.pairs.per.second",
            "The throughput admission plans with (observed, weighted average)",
            admission::pairsPerSecond)
        .gauge(
            "rerankflow.edge.published",
            "Requests published to the requests topic since start",
            publisher::published)
        .gauge(
            "rerankflow.edge.late.replies",
            "Results dropped because their request had timed out or was answered",
            replies::lateReplies)
        .gauge(
            "rerankflow.edge.late.scored.pairs",
            "Pairs the job ranked for requests nobody waited for any more (late results)",
            replies::lateScoredPairs)
        .gauge(
            "rerankflow.edge.mismatched.replies",
            "Results dropped because correlation header and output id disagreed",
            replies::mismatchedReplies)
        .gauge(
            "rerankflow.edge.reply.listener.restarts",
            "Times the reply listener failed and was started over",
            replies::restarts)
        .gauge(
            "rerankflow.edge.validating",
            "Bodies being read or validated now (bounded by --max-validating)",
            pool::busy)
        .gauge("rerankflow.edge.connections", "Open HTTP connections", guard::open)
        .gauge(
            "rerankflow.edge.connections.closed.idle",
            "Connections closed after --idle-timeout without a request",
            guard::closedIdle)
        .gauge(
            "rerankflow.edge.connections.closed.half.sent",
            "Connections closed because a request did not arrive whole within --idle-timeout",
            guard::closedHalfSent);
  }

  private static byte[] openApi() throws Exception {
    try (InputStream in = EdgeServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      return in.readAllBytes();
    }
  }

  /** Whether it serves HTTPS ({@code --tls-cert}). */
  public boolean tls() {
    return tls != null;
  }

  /** The port it listens on (the one chosen when {@code --port 0}). */
  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    if (tls != null) {
      tls.close();
      tls = null;
    }
    if (keyFile != null) {
      keyFile.close();
      keyFile = null;
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      }
      vertx = null;
    }
    if (pool != null) {
      pool.close();
      pool = null;
    }
    if (replies != null) {
      replies.close();
      replies = null;
    }
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
    if (validator != null) {
      validator.close();
      validator = null;
    }
  }

  private static Properties with(Properties base, String key, String value) {
    Properties props = new Properties();
    props.putAll(base);
    props.put(key, value);
    return props;
  }

  /**
   * The producer's settings: the record limit follows {@code --max-body-size} (so what the edge
   * reads it can publish), and what it publishes is compressed (request text compresses well, and
   * the brokers' own limit applies to the compressed batch).
   */
  static Properties producerProperties(Properties client, int maxBodySize) {
    Properties props = with(client, ProducerConfig.ACKS_CONFIG, "all");
    // A synchronous caller waits for every record: do not hold it back for batching.
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    props.putIfAbsent(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(Math.max(1 << 20, maxBodySize + PUBLISH_OVERHEAD)));
    return props;
  }

  private static Properties consumerProperties(Properties client) {
    Properties props = with(client, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return props;
  }
}
