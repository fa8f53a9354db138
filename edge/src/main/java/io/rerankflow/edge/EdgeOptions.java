package io.rerankflow.edge;

import static io.rerankflow.cli.OptionChecks.require;

import io.rerankflow.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Option;

/** The HTTP edge's options, parsed by picocli and checked once in {@link #validate()}. */
public final class EdgeOptions {

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (plain HTTP unless --tls-cert is given). Default:"
              + " ${DEFAULT-VALUE}.")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8000",
      description = "Port to listen on, 0 for any free one. Default: ${DEFAULT-VALUE} (the NIM's).")
  int port;

  @Option(
      names = "--bootstrap-servers",
      required = true,
      description = "Kafka brokers of the job, e.g. 127.0.0.1:9092.")
  String bootstrapServers;

  @Option(names = "--requests-topic", required = true, description = "The job's --requests-topic.")
  String requestsTopic;

  @Option(
      names = "--results-topic",
      required = true,
      description = "The job's --results-topic; this instance reads its own replies from it.")
  String resultsTopic;

  @Option(
      names = "--instance-id",
      description =
          "This instance's name in request ids and correlation headers; unique among"
              + " the edges of one job. Default: a random one.")
  String instanceId = "edge-" + UUID.randomUUID().toString().substring(0, 8);

  @Option(
      names = "--model",
      defaultValue = "default",
      description =
          "The models the job serves, exactly as given to the job's --model (a directory,"
              + " 'default', 'all-minilm-l6-v2' or hf:ORG/NAME[@REVISION], with name= or #FILE);"
              + " their tokenizers answer over-long truncate NONE requests here. Repeatable."
              + " Default: ${DEFAULT-VALUE}.")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--extensions",
      description = "Accept top_n and return_text (the job needs --extensions too).")
  boolean extensions;

  @Option(
      names = "--expected-pairs-per-second",
      defaultValue = "50",
      description =
          "The query-passage pairs per second the job is first assumed to score for this edge;"
              + " admission then follows the rate it observes. A request is admitted only if the"
              + " pairs in flight and its own can be scored within --request-timeout, else 503"
              + " with Retry-After. Default: ${DEFAULT-VALUE}.")
  double expectedPairsPerSecond;

  @Option(
      names = "--request-timeout",
      defaultValue = "120s",
      converter = DurationConverter.class,
      description =
          "How long a request waits for its result before a 504 (the late result is"
              + " dropped). Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(
      names = "--max-body-size",
      defaultValue = "1032192",
      description =
          "Largest request body in bytes; larger ones get 413. The producer's max.request.size"
              + " follows it. Default: ${DEFAULT-VALUE} (1 MiB, Kafka's default record limit,"
              + " less room for the record's headers).")
  int maxBodySize;

  @Option(
      names = "--idle-timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Close a connection that has no request for this long, or whose request has not"
              + " arrived whole (headers and body) within it. Default: ${DEFAULT-VALUE}.")
  Duration idleTimeout;

  @Option(
      names = "--max-connections",
      defaultValue = "1024",
      description =
          "Open HTTP connections at most; a request on one more gets 503 and its connection"
              + " is closed. Default: ${DEFAULT-VALUE}.")
  int maxConnections;

  @Option(
      names = "--max-validating",
      defaultValue = "64",
      description =
          "Request bodies read or validated at once (each up to --max-body-size in memory);"
              + " beyond it 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
  int maxValidating;

  @Option(
      names = "--validation-threads",
      description =
          "Threads that parse, tokenise (truncate NONE) and publish requests. Default: the"
              + " number of CPU cores.")
  int validationThreads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--api-key",
      defaultValue = "${env:RERANKFLOW_API_KEY}",
      description =
          "Require this key on /v1/ranking and /v1/models (401 without it); one key named"
              + " 'default' without a quota. Default: $RERANKFLOW_API_KEY, none when unset.")
  String apiKey;

  @Option(
      names = "--api-keys",
      description =
          "Require one of the keys in this file (one a line: NAME KEY [PAIRS_PER_SECOND],"
              + " KEY may be sha256:HEX; # comments). Read again every second; a change takes"
              + " force without a restart, and a malformed line is logged with its number while"
              + " the previous keys stay in force.")
  Path apiKeys;

  @Option(
      names = "--metrics-need-key",
      description = "Require the key on GET /v1/metrics too (it shows key names and load).")
  boolean metricsNeedKey;

  @Option(
      names = "--health-needs-key",
      description =
          "Require the key on /v1/health/live and /v1/health/ready too (probes then need one).")
  boolean healthNeedsKey;

  @Option(
      names = "--tls-cert",
      description =
          "Serve HTTPS (TLS 1.2 and 1.3, HTTP/2 by ALPN) with this PEM certificate chain;"
              + " needs --tls-key. Both are re-read when they change.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      description = "The unencrypted PKCS#8 PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--api-key-header",
      defaultValue = "Authorization",
      description =
          "Header carrying the key: 'Authorization' takes 'Bearer <key>', any other"
              + " header the key itself. Default: ${DEFAULT-VALUE}.")
  String apiKeyHeader;

  @Option(
      names = "--kafka-property",
      description = "Extra Kafka client property (e.g. security settings); repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  /** Checks values that picocli cannot, with messages that say how to fix them. */
  public void validate() {
    require(port >= 0 && port <= 65535, "--port must be between 0 and 65535");
    require(expectedPairsPerSecond > 0, "--expected-pairs-per-second must be positive, e.g. 50");
    require(maxBodySize >= 1024, "--max-body-size must be at least 1024 bytes");
    require(
        !idleTimeout.isNegative() && !idleTimeout.isZero(),
        "--idle-timeout must be positive, e.g. 30s");
    require(maxConnections >= 1, "--max-connections must be at least 1");
    require(maxValidating >= 1, "--max-validating must be at least 1");
    require(validationThreads >= 1, "--validation-threads must be at least 1");
    require(
        !requestTimeout.isNegative() && !requestTimeout.isZero(),
        "--request-timeout must be positive, e.g. 120s");
    require(!models.isEmpty(), "--model is needed at least once (as given to the job)");
    require(
        !instanceId.isBlank() && !instanceId.contains("/"),
        "--instance-id must be non-empty and without '/'");
    require(apiKey == null || !apiKey.isBlank(), "--api-key must not be blank");
    require(!apiKeyHeader.isBlank(), "--api-key-header must not be blank");
    require(
        apiKey == null || apiKeys == null,
        "give --api-key or --api-keys, not both (is RERANKFLOW_API_KEY set?)");
    require(
        (apiKey != null || apiKeys != null) || (!metricsNeedKey && !healthNeedsKey),
        "--metrics-need-key and --health-needs-key need --api-key or --api-keys");
    require(
        (tlsCert == null) == (tlsKey == null), "--tls-cert and --tls-key go together: give both");
  }
}
