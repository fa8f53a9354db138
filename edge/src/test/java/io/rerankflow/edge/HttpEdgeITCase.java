package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rerankflow.jobs.KafkaJobExtension;
import io.rerankflow.jobs.RunningJob;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.schemas.TransportHeaders;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import io.rerankflow.testing.TestBroker;
import io.rerankflow.testing.TestModelDirs;
import io.rerankflow.testing.TinyModelExpectations;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The HTTP edge in front of the real job: real HTTP over loopback, a real broker, the job on a
 * MiniCluster with the tiny model and the embedded default model (served under the NIM's name).
 */
class HttpEdgeITCase {
  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 1);

  private static final String REQUESTS = "edge-requests";
  private static final String RESULTS = "edge-results";
  private static final String UNSERVED_REQUESTS = "edge-unserved-requests";
  private static final String NIM_MODEL = "nvidia/nv-rerankqa-mistral-4b-v3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ANSWER = Duration.ofSeconds(90);
  private static final int NIM_MAX_LENGTH = 512;
  private static final String EDGE_PIPELINE_HEADER = "X-Rerankflow-Pipeline-Ms";

  /** The NIM's published curl example, byte for byte. */
  private static final String NIM_CURL_BODY =
      "{\"model\":\"nvidia/nv-rerankqa-mistral-4b-v3\",\"query\":{\"text\":\"which way should i"
          + " go?\"},\"passages\":[{\"text\":\"two roads diverged in a yellow wood, and sorry i"
          + " could not travel both\"},{\"text\":\"then took the other, as just as fair, and"
          + " having perhaps the better claim because it was grassy and wanted wear\"},{\"text\":\"and"
          + " both that morning equally lay in leaves no step had trodden black\"},{\"text\":\"i"
          + " shall be telling this with a sigh somewhere ages and ages hence: two roads diverged"
          + " in a wood, and i, i took the one less traveled by, and that has made all the"
          + " difference\"}],\"truncate\":\"END\"}";

  @TempDir static Path shared;
  private static TinyModelExpectations tiny;
  private static TestBroker broker;
  private static RunningJob job;
  private static Path ghostDir;
  private static Path nimDir;
  private static EdgeServer edgeA;
  private static EdgeServer edgeB;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeAll
  static void start() throws Exception {
    tiny = KAFKA.tiny();
    broker = KAFKA.broker();
    // Served by the edges but not by the job: its requests come back as the job's error records.
    ghostDir =
        TestModelDirs.crossEncoder(
            shared.resolve("ghost"), "ghost", TinyModelExpectations.TINY, 24);
    // The NIM's name served by the tiny fp32 model with room for the curl example untruncated,
    // so its ranking has an oracle of its own: the model's arithmetic in Java.
    nimDir =
        TestModelDirs.crossEncoder(
            shared.resolve("nim"), "nim", TinyModelExpectations.TINY, NIM_MAX_LENGTH);
    broker.createTopics(2, REQUESTS, RESULTS);
    broker.createTopics(1, UNSERVED_REQUESTS);
    job =
        RunningJob.start(
            "http edge",
            "--source",
            "kafka",
            "--sink",
            "kafka",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--requests-topic",
            REQUESTS,
            "--results-topic",
            RESULTS,
            // The edge drops repeats itself; without transactions results show at once.
            "--delivery",
            "at-least-once",
            "--checkpoint-interval",
            "2s",
            "--starting-offsets",
            "earliest",
            "--model",
            tiny.modelDir().toString(),
            "--model",
            NIM_MODEL + "=" + nimDir);
    edgeA = edge("edge-a");
    edgeB = edge("edge-b");
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {edgeA, edgeB}) {
      if (c != null) {
        c.close();
      }
    }
    try {
      job.close();
    } catch (IllegalStateException e) {
      // The MiniCluster extension has shut the cluster down, and the job with it.
    }
  }

  private static EdgeServer edge(String id, String... extra) throws Exception {
    return edgeOn(REQUESTS, id, extra);
  }

  private static EdgeServer edgeOn(String requestsTopic, String id, String... extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                "0",
                "--instance-id",
                id,
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--requests-topic",
                requestsTopic,
                "--results-topic",
                RESULTS,
                "--model",
                tiny.modelDir().toString(),
                "--model",
                NIM_MODEL + "=" + nimDir,
                "--model",
                ghostDir.toString()));
    args.addAll(List.of(extra));
    return EdgeServer.start(
        CommandLine.populateCommand(new EdgeOptions(), args.toArray(String[]::new)));
  }

  @Test
  void nimCurlExampleSentVerbatimIsRankedAsTheModelsArithmeticRanksIt() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(uri(edgeA, "/v1/ranking"))
                .header("accept", "application/json")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(NIM_CURL_BODY))
                .timeout(ANSWER)
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.fieldNames()).toIterable().containsExactly("rankings", "usage");
    JsonNode sent = JSON.readTree(NIM_CURL_BODY);
    List<String> passages = new ArrayList<>();
    sent.get("passages").forEach(p -> passages.add(p.get("text").asText()));
    GeneratedRequest request =
        new GeneratedRequest("curl", sent.get("query").get("text").asText(), passages);
    RerankOutput expected = tiny.expected(request);
    RerankOutput actual = OutputJson.fromPipelineJson(response.body());
    // Order first: the ranking is the oracle's, passage for passage.
    assertThat(actual.indices).containsExactly(expected.indices);
    assertRanked(response.body(), request);
    assertStagesInPathOrder(response);
  }

  /**
   * The answer's Server-Timing: one segment per stage the request passed, in the path's order, and
   * none negative (each stage's timestamp at or after the one before).
   */
  private static void assertStagesInPathOrder(HttpResponse<String> response) {
    String timing = response.headers().firstValue("server-timing").orElseThrow();
    List<String> names = new ArrayList<>();
    for (String segment : timing.split(",")) {
      String[] parts = segment.trim().split(";dur=");
      names.add(parts[0]);
      assertThat(Double.parseDouble(parts[1])).as(timing).isGreaterThanOrEqualTo(0);
    }
    assertThat(names)
        .containsExactly(
            "edge-in",
            "kafka-in",
            "exchange",
            "encode",
            "queue",
            "score",
            "sink",
            "kafka-out",
            "edge-out");
  }

  @Test
  void payloadsOfTheThreeClientLibrariesAllSucceed() throws Exception {
    // LangChain's NVIDIARerank omits truncate, LlamaIndex sends END, Haystack's NvidiaRanker
    // sends END in batches of 32 passages.
    GeneratedRequest langChain = GeneratedRequest.generated("langchain", 1);
    GeneratedRequest llamaIndex = GeneratedRequest.generated("llamaindex", 2);
    GeneratedRequest haystack = batchOf32(3);
    Map<GeneratedRequest, String> bodies =
        Map.of(
            langChain, langChain.json(false),
            llamaIndex, withTruncate(llamaIndex.json(false), "END"),
            haystack, withTruncate(haystack.json(false), "END"));

    for (Map.Entry<GeneratedRequest, String> sent : bodies.entrySet()) {
      HttpResponse<String> response = post(edgeA, sent.getValue());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertRanked(response.body(), sent.getKey());
    }
  }

  @Test
  void badRequestsAreAnsweredByTheEdgeWithTheJobsStatusAndMessage() throws Exception {
    String longQuery = "the long road ".repeat(20);
    record Case(String body, int status, String type, String message) {}
    List<Case> cases =
        List.of(
            new Case("{\"model\":\"tiny\",", 400, "malformed_json", "Malformed JSON (request body"),
            new Case(
                "[1,2]", 400, "malformed_json", "Expected a JSON object (request body), got array"),
            new Case(
                "{\"id\":\"x\",\"model\":\"tiny\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\"b\"}]}",
                400,
                "invalid_request",
                "id: unknown field, expected one of model, query, passages, truncate"),
            new Case(
                "{\"model\":\"tiny\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\"b\"}],\"top_k\":3}",
                400,
                "invalid_request",
                "top_k: unknown field, expected one of model, query, passages, truncate"),
            new Case(
                "{\"model\":\"tiny\",\"query\":{\"text\":\"a\"}}",
                400,
                "invalid_request",
                "passages: missing field"),
            new Case(
                "{\"model\":\"tiny\",\"query\":{\"text\":\"a\"},\"passages\":["
                    + IntStream.range(0, 513)
                        .mapToObj(i -> "{\"text\":\"p\"}")
                        .collect(Collectors.joining(","))
                    + "]}",
                400,
                "too_many_passages",
                "passages: 513 passages given, at most 512 are allowed per request"),
            new Case(
                "{\"model\":\"nope\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\"b\"}]}",
                404,
                "model_not_found",
                "Model 'nope' is not served here. Served models: tiny, " + NIM_MODEL + ", ghost"),
            new Case(
                "{\"model\":\"tiny\",\"query\":{\"text\":\""
                    + longQuery
                    + "\"},\"passages\":[{\"text\":\"b\"}],\"truncate\":\"NONE\"}",
                422,
                "input_too_long",
                "exceeds maximum allowed token size 24"));

    double publishedBefore = metric(edgeB, "rerankflow_edge_published");
    for (Case c : cases) {
      HttpResponse<String> response = post(edgeB, c.body());
      assertThat(response.statusCode()).as(c.body()).isEqualTo(c.status());
      JsonNode error = JSON.readTree(response.body());
      assertThat(error.fieldNames()).toIterable().containsExactly("object", "message", "type");
      assertThat(error.get("object").asText()).isEqualTo("error");
      assertThat(error.get("type").asText()).isEqualTo(c.type());
      assertThat(error.get("message").asText()).contains(c.message());
    }
    assertThat(metric(edgeB, "rerankflow_edge_published"))
        .as("no bad request reached Kafka")
        .isEqualTo(publishedBefore);

    // The job does not serve ghost: its error record comes back as the NIM's 404.
    HttpResponse<String> ghost =
        post(
            edgeB,
            "{\"model\":\"ghost\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\"b\"}]}");
    assertThat(ghost.statusCode()).as(ghost.body()).isEqualTo(404);
    JsonNode error = JSON.readTree(ghost.body());
    assertThat(error.get("type").asText()).isEqualTo("model_not_found");
    assertThat(error.get("message").asText())
        .as("the job's message, naming what the job serves")
        .isEqualTo("Model 'ghost' is not served here. Served models: tiny, " + NIM_MODEL);
    assertThat(metric(edgeB, "rerankflow_edge_published")).isEqualTo(publishedBefore + 1);
  }

  @Test
  void modelsHealthMetricsAndOpenApiAreServed() throws Exception {
    JsonNode models = JSON.readTree(get(edgeA, "/v1/models").body());
    assertThat(models.get("object").asText()).isEqualTo("list");
    assertThat(models.get("data").findValuesAsText("id"))
        .containsExactly("tiny", NIM_MODEL, "ghost");
    assertThat(get(edgeA, "/v1/health/live").statusCode()).isEqualTo(200);
    assertThat(get(edgeA, "/v1/health/ready").statusCode()).isEqualTo(200);

    HttpResponse<String> openApi = get(edgeA, "/openapi.yaml");
    assertThat(openApi.statusCode()).isEqualTo(200);
    JsonNode spec = new YAMLMapper().readTree(openApi.body());
    assertThat(spec.get("paths").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "/v1/ranking",
            "/v1/models",
            "/v1/health/live",
            "/v1/health/ready",
            "/v1/metadata",
            "/v1/version",
            "/v1/metrics",
            "/openapi.yaml");

    post(edgeA, GeneratedRequest.generated("metrics", 9).json(false));
    String metrics = get(edgeA, "/v1/metrics").body();
    assertThat(metrics)
        .contains("rerankflow_edge_requests_total{status=\"200\"}")
        .contains("rerankflow_edge_request_duration_seconds_bucket{")
        .contains("rerankflow_edge_pipeline_duration_seconds_count")
        .contains("rerankflow_edge_in_flight ");
  }

  @Test
  void twoInstancesAnswerEachClientWithItsOwnRanking() throws Exception {
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    Map<String, Integer> answeredBy = new ConcurrentHashMap<>();
    for (int client = 0; client < 12; client++) {
      EdgeServer edge = client % 2 == 0 ? edgeA : edgeB;
      int c = client;
      clients.add(
          CompletableFuture.runAsync(
              () -> {
                for (int n = 0; n < 4; n++) {
                  GeneratedRequest request =
                      GeneratedRequest.generated("c" + c + "-" + n, 100 * c + n);
                  HttpResponse<String> response = post(edge, request.json(false));
                  assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                  assertRanked(response.body(), request);
                  answeredBy.merge(edge == edgeA ? "a" : "b", 1, Integer::sum);
                }
              }));
    }
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
    assertThat(answeredBy).containsEntry("a", 24).containsEntry("b", 24);
  }

  @Test
  void aFloodOf512PassageRequestsIsRankedWithinItsDeadlineOrRefusedAtOnce() throws Exception {
    // 200 clients at once, each with 512 passages under truncate NONE; the edge first assumes
    // far less throughput than the job has, so it must refuse most of the flood.
    int clients = 200;
    Duration timeout = Duration.ofSeconds(30);
    try (EdgeServer edge =
        edge(
            "edge-flood",
            "--request-timeout",
            timeout.toSeconds() + "s",
            "--expected-pairs-per-second",
            "100",
            "--max-validating",
            "32")) {
      double publishedBefore = metric(edge, "rerankflow_edge_published");
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(30))
              .build();
      List<GeneratedRequest> requests = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        GeneratedRequest request = passages512("flood-" + c, 50_000L + 1000L * c);
        requests.add(request);
        calls.add(
            http.sendAsync(
                HttpRequest.newBuilder(uri(edge, "/v1/ranking"))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            withTruncate(request.json(false), "NONE")))
                    // In time: within the edge's own deadline, with room for a busy machine.
                    .timeout(timeout.plusSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

      int ranked = 0;
      int refused = 0;
      for (int c = 0; c < clients; c++) {
        HttpResponse<String> response = calls.get(c).get();
        if (response.statusCode() == 200) {
          ranked++;
          assertRanked(response.body(), requests.get(c));
        } else {
          refused++;
          assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
          assertThat(response.headers().firstValue("retry-after"))
              .hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isPositive());
          assertThat(JSON.readTree(response.body()).get("type").asText()).isEqualTo("overloaded");
          // Refused at once: before the pipeline ever saw it.
          assertThat(response.headers().firstValue(EDGE_PIPELINE_HEADER)).isEmpty();
        }
      }
      assertThat(ranked).as("the edge lets work in").isPositive();
      assertThat(refused).as("and refuses what does not fit").isPositive();
      // Nothing admitted was left to time out (no 504), and nothing refused was published.
      assertThat(metric(edge, "rerankflow_edge_published")).isEqualTo(publishedBefore + ranked);

      // Nothing held over, and a fresh request is answered.
      assertThat(metric(edge, "rerankflow_edge_in_flight")).isZero();
      assertThat(metric(edge, "rerankflow_edge_in_flight_pairs")).isZero();
      assertThat(metric(edge, "rerankflow_edge_validating")).isZero();
      GeneratedRequest after = GeneratedRequest.generated("after-flood", 77);
      HttpResponse<String> response = post(edge, after.json(false));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertRanked(response.body(), after);
      assertThat(get(edge, "/v1/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void halfSentAndIdleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    try (EdgeServer edge = edge("edge-idle", "--idle-timeout", "1s")) {
      List<Socket> halfSent = new ArrayList<>();
      List<Socket> silent = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Socket socket = new Socket("127.0.0.1", edge.port());
        socket
            .getOutputStream()
            .write(
                ("POST /v1/ranking HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type:"
                        + " application/json\r\ncontent-length: 500\r\n\r\n{\"model\":\"tiny\",")
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        halfSent.add(socket);
      }
      for (int i = 0; i < 5; i++) {
        silent.add(new Socket("127.0.0.1", edge.port()));
      }
      for (Socket socket : concat(halfSent, silent)) {
        try (socket) {
          socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
          assertThat(readToEnd(socket)).as("the edge sent nothing and closed it").isEmpty();
        }
      }
      assertThat(metric(edge, "rerankflow_edge_connections_closed_half_sent")).isEqualTo(40);
      assertThat(metric(edge, "rerankflow_edge_connections_closed_idle")).isGreaterThanOrEqualTo(5);
      GeneratedRequest request = GeneratedRequest.generated("after-idle", 78);
      HttpResponse<String> response = post(edge, request.json(false));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertRanked(response.body(), request);
    }
  }

  @Test
  void aConnectionOverTheCapIsAnswered503AndClosed() throws Exception {
    try (EdgeServer edge = edge("edge-cap", "--max-connections", "4")) {
      List<Socket> held = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        held.add(new Socket("127.0.0.1", edge.port()));
      }
      HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> refused =
          fresh.send(
              HttpRequest.newBuilder(uri(edge, "/v1/health/live")).GET().timeout(ANSWER).build(),
              HttpResponse.BodyHandlers.ofString());
      assertError(refused, 503, "overloaded");
      assertThat(refused.body()).contains("--max-connections");
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");

      for (Socket socket : held) {
        socket.close();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        Thread.sleep(50);
        status =
            fresh
                .send(
                    HttpRequest.newBuilder(uri(edge, "/v1/health/live"))
                        .GET()
                        .timeout(ANSWER)
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode();
      }
      assertThat(status).as("served again once connections close").isEqualTo(200);
    }
  }

  @Test
  void aBodyOverTheLimitGets413NamingItAndA3MbBodyNeverShowsKafkaText() throws Exception {
    String threeMb = manyPassages(3 << 20, false);
    HttpResponse<String> overDefault = post(edgeA, threeMb);
    assertError(overDefault, 413, "request_too_large");
    assertThat(JSON.readTree(overDefault.body()).get("message").asText())
        .isEqualTo("Request body is larger than 1032192 bytes (--max-body-size)");

    try (EdgeServer edge = edge("edge-big", "--max-body-size", Integer.toString(4 << 20))) {
      // Prose compresses: published with zstd it fits the brokers' 1 MiB and is ranked.
      HttpResponse<String> prose = post(edge, threeMb);
      assertThat(prose.statusCode()).as(prose.body()).isEqualTo(200);
      RerankOutput ranked = OutputJson.fromPipelineJson(prose.body());
      assertThat(ranked.indices).containsExactlyInAnyOrder(IntStream.range(0, 512).toArray());
      for (int rank = 1; rank < ranked.logits.length; rank++) {
        assertThat(ranked.logits[rank]).isLessThanOrEqualTo(ranked.logits[rank - 1]);
      }

      // Random letters do not: the brokers refuse it, and the client is told so in plain words.
      HttpResponse<String> noise = post(edge, manyPassages(3 << 20, true));
      assertError(noise, 413, "request_too_large");
      assertThat(noise.body())
          .contains("message.max.bytes")
          .doesNotContain("max.request.size")
          .doesNotContain("org.apache")
          .doesNotContain("Exception")
          .doesNotContain("larger than 1048576");
    }
  }

  /** A tiny-model request of about {@code bytes} bytes in 512 passages. */
  private static String manyPassages(int bytes, boolean random) {
    Random letters = new Random(3);
    String[] words = {"two", "roads", "diverged", "in", "a", "yellow", "wood", "and", "sorry"};
    StringBuilder json =
        new StringBuilder("{\"model\":\"tiny\",\"query\":{\"text\":\"which road\"},\"passages\":[");
    int each = bytes / 512;
    for (int p = 0; p < 512; p++) {
      json.append(p == 0 ? "" : ",").append("{\"text\":\"");
      int start = json.length();
      while (json.length() - start < each) {
        if (random) {
          json.append((char) ('a' + letters.nextInt(26)));
          if (letters.nextInt(6) == 0) {
            json.append(' ');
          }
        } else {
          json.append(words[(json.length() + p) % words.length]).append(' ');
        }
      }
      json.append("\"}");
    }
    return json.append("],\"truncate\":\"END\"}").toString();
  }

  private static List<Socket> concat(List<Socket> a, List<Socket> b) {
    List<Socket> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** What the peer sends until it closes (a reset counts as closed). */
  private static byte[] readToEnd(Socket socket) throws IOException {
    try {
      return socket.getInputStream().readAllBytes();
    } catch (SocketException reset) {
      return new byte[0];
    }
  }

  private static GeneratedRequest passages512(String id, long seed) {
    List<String> passages = new ArrayList<>();
    for (int i = 0; passages.size() < 512; i++) {
      passages.addAll(GeneratedRequest.generated("p", seed + i).passages());
    }
    return new GeneratedRequest(
        id, GeneratedRequest.generated("q", seed).query(), passages.subList(0, 512));
  }

  @Test
  void apiKeyBodySizeAndTimeoutAreEnforcedAndALateResultIsDropped() throws Exception {
    // Requests go to a topic no job reads: nothing answers them in time.
    try (EdgeServer edge =
        edgeOn(
            UNSERVED_REQUESTS,
            "edge-limits",
            "--api-key",
            "s3cret",
            "--max-body-size",
            "2048",
            "--request-timeout",
            "2s")) {
      String body = GeneratedRequest.generated("limits", 5).json(false);

      assertError(send(edge, body, Map.of()), 401, "unauthorized");
      assertError(send(edge, body, Map.of("authorization", "Bearer wrong")), 401, "unauthorized");
      assertError(send(edge, body, Map.of("authorization", "s3cret")), 401, "unauthorized");
      HttpResponse<String> models =
          HTTP.send(
              HttpRequest.newBuilder(uri(edge, "/v1/models")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(models.statusCode()).isEqualTo(401);
      assertThat(get(edge, "/v1/health/live").statusCode()).isEqualTo(200);

      Map<String, String> key = Map.of("authorization", "Bearer s3cret");
      String big =
          "{\"model\":\"tiny\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\""
              + "road ".repeat(600)
              + "\"}]}";
      assertError(send(edge, big, key), 413, "request_too_large");

      long sentAt = System.currentTimeMillis();
      assertError(send(edge, body, key), 504, "timeout");
      long answeredAt = System.currentTimeMillis();

      // The job answers after all: the edge drops the result, and keeps answering.
      ConsumerRecord<byte[], byte[]> published =
          KafkaTestClients.readAll(broker.bootstrapServers(), UNSERVED_REQUESTS, false).get(0);
      Header correlation = published.headers().lastHeader("correlation-id");
      assertThat(new String(correlation.value(), StandardCharsets.UTF_8))
          .startsWith("edge-limits/");
      // The deadline travels with the request: when the edge stops waiting (2 s after arrival,
      // which lies between the test's send and its answer; the record was made after arrival).
      Header stamped = published.headers().lastHeader(TransportHeaders.DEADLINE);
      assertThat(stamped).as("deadline header").isNotNull();
      long deadlineMillis =
          TransportHeaders.deadlineMillis(Map.of(TransportHeaders.DEADLINE, stamped.value()))
              .orElseThrow();
      assertThat(deadlineMillis).isBetween(sentAt + 2000, answeredAt + 2000);
      assertThat(published.timestamp()).isBetween(sentAt, answeredAt);
      assertThat(deadlineMillis - published.timestamp()).isLessThanOrEqualTo(2000L);
      RerankOutput late =
          RerankOutput.ranked(
              new String(published.key(), StandardCharsets.UTF_8), "tiny", new float[] {0.5f}, 3);
      try (KafkaProducer<byte[], byte[]> producer =
          KafkaTestClients.producer(broker.bootstrapServers())) {
        producer
            .send(
                new ProducerRecord<>(
                    RESULTS,
                    null,
                    published.key(),
                    OutputJson.toPipelineJson(late).getBytes(StandardCharsets.UTF_8),
                    List.<Header>of(new RecordHeader("correlation-id", correlation.value()))))
            .get();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (metric(edge, "rerankflow_edge_late_replies") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(metric(edge, "rerankflow_edge_late_replies")).isEqualTo(1.0);
      assertThat(metric(edge, "rerankflow_edge_late_scored_pairs"))
          .as("the one pair ranked for nobody")
          .isEqualTo(1.0);
      assertThat(metric(edge, "rerankflow_edge_in_flight")).isZero();
      assertError(send(edge, body, key), 504, "timeout");
    }
  }

  private static void assertError(HttpResponse<String> response, int status, String type)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("object").asText()).isEqualTo("error");
    assertThat(error.get("type").asText()).isEqualTo(type);
    assertThat(error.get("message").asText()).isNotBlank();
  }

  /** The 200 body ranks {@code request} exactly as the tiny model does. */
  private static void assertRanked(String body, GeneratedRequest request) {
    RerankOutput actual = OutputJson.fromPipelineJson(body);
    actual.id = request.id();
    actual.model = "tiny";
    tiny.assertRanking(actual, request, request.id());
  }

  private static GeneratedRequest batchOf32(long seed) {
    List<String> passages = new ArrayList<>();
    for (int i = 0; passages.size() < 32; i++) {
      passages.addAll(GeneratedRequest.generated("p", seed * 1000 + i).passages());
    }
    return new GeneratedRequest(
        "haystack", GeneratedRequest.generated("q", seed).query(), passages.subList(0, 32));
  }

  private static String withTruncate(String json, String truncate) {
    return json.substring(0, json.length() - 1) + ",\"truncate\":\"" + truncate + "\"}";
  }

  private static double metric(EdgeServer edge, String name) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$")
            .matcher(get(edge, "/v1/metrics").body());
    assertThat(m.find()).as("metric %s", name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static URI uri(EdgeServer edge, String path) {
    return URI.create("http://127.0.0.1:" + edge.port() + path);
  }

  private static HttpRequest ranking(EdgeServer edge, String body) {
    return HttpRequest.newBuilder(uri(edge, "/v1/ranking"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .timeout(ANSWER)
        .build();
  }

  private static HttpResponse<String> post(EdgeServer edge, String body) {
    return send(edge, body, Map.of());
  }

  private static HttpResponse<String> send(
      EdgeServer edge, String body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(edge, "/v1/ranking"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(ANSWER);
    headers.forEach(request::header);
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request to the edge failed", e);
    }
  }

  private static HttpResponse<String> get(EdgeServer edge, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(uri(edge, path)).GET().timeout(ANSWER).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  // Issue 12: NIM clients as they really send. Each replay below is the client library's own
  // request (langchain-ai/langchain-nvidia _common.py + reranking.py, run-llama/llama_index
  // postprocessor nvidia_rerank base.py, deepset-ai/haystack-core-integrations nvidia
  // nim_backend.py), written byte for byte over a socket: python-requests' headers and
  // json.dumps' ", " / ": " separators, no --api-key on the edge.

  private static final String PYTHON_REQUESTS = "python-requests/2.32.3";

  @Test
  void langChainNvidiaRerankWithoutKeyOrModelRanksWithTheListedModel() throws Exception {
    java.util.Map<String, String> call = new java.util.LinkedHashMap<>();
    call.put("User-Agent", "langchain-nvidia-ai-endpoints");
    call.put("Accept-Encoding", "gzip, deflate");
    call.put("Accept", "application/json");
    call.put("Connection", "keep-alive");
    call.put("Authorization", "Bearer **********");
    call.put("X-BILLING-SOURCE", "langchain-nvidia-ai-endpoints");

    RawResponse listing = raw(edgeA, "GET", "/v1/models", call, null);
    assertThat(listing.status()).as(listing.body()).isEqualTo(200);
    // Without a model, LangChain takes the first listed model whose root is absent or itself.
    String model = null;
    for (JsonNode entry : JSON.readTree(listing.body()).get("data")) {
      if (!entry.hasNonNull("root")
          || entry.get("root").asText().equals(entry.get("id").asText())) {
        model = entry.get("id").asText();
        break;
      }
    }
    assertThat(model).isEqualTo("tiny");

    GeneratedRequest request = GeneratedRequest.generated("langchain-replay", 21);
    java.util.Map<String, String> post = new java.util.LinkedHashMap<>(call);
    post.put("Content-Type", "application/json");
    RawResponse ranked =
        raw(edgeA, "POST", "/v1/ranking", post, pythonJson("\"" + model + "\"", request, null, 0));

    assertThat(ranked.status()).as(ranked.body()).isEqualTo(200);
    assertThat(ranked.headers().get("content-type")).isEqualTo("application/json");
    assertRanked(ranked.body(), request);
  }

  @Test
  void llamaIndexNvidiaRerankListsModelsThenRanksWithItsPlaceholderKey() throws Exception {
    java.util.Map<String, String> listingHeaders = new java.util.LinkedHashMap<>();
    listingHeaders.put("User-Agent", PYTHON_REQUESTS);
    listingHeaders.put("Accept-Encoding", "gzip, deflate");
    listingHeaders.put("Accept", "application/json");
    listingHeaders.put("Connection", "keep-alive");

    // At construction (on-premises mode) it validates the model against data[].id.
    RawResponse listing = raw(edgeA, "GET", "/v1/models", listingHeaders, null);
    assertThat(listing.status()).as(listing.body()).isEqualTo(200);
    assertThat(JSON.readTree(listing.body()).get("data").findValuesAsText("id")).contains("tiny");

    GeneratedRequest request = GeneratedRequest.generated("llamaindex-replay", 22);
    java.util.Map<String, String> post = new java.util.LinkedHashMap<>(listingHeaders);
    post.put("Authorization", "Bearer NO_API_KEY_PROVIDED");
    post.put("Content-Type", "application/json");
    // LlamaIndex puts truncate (when set) between model and query.
    RawResponse ranked =
        raw(edgeA, "POST", "/v1/ranking", post, pythonJson("\"tiny\"", request, "END", 1));

    assertThat(ranked.status()).as(ranked.body()).isEqualTo(200);
    assertRanked(ranked.body(), request);
  }

  @Test
  void haystackNvidiaRankerSendsANullModelThatMeansTheOnlyServedOne() throws Exception {
    java.util.Map<String, String> session = new java.util.LinkedHashMap<>();
    session.put("User-Agent", PYTHON_REQUESTS);
    session.put("Accept-Encoding", "gzip, deflate");
    session.put("accept", "application/json");
    session.put("Connection", "keep-alive");
    session.put("Content-Type", "application/json");
    GeneratedRequest request = GeneratedRequest.generated("haystack-replay", 23);
    String body = pythonJson("null", request, "END", 3);

    try (EdgeServer single = singleModelEdge("edge-haystack")) {
      RawResponse ranked = raw(single, "POST", "/v1/ranking", session, body);

      assertThat(ranked.status()).as(ranked.body()).isEqualTo(200);
      assertRanked(ranked.body(), request);
    }

    // Serving several models, a null model cannot be guessed: 400 naming them.
    RawResponse ambiguous = raw(edgeA, "POST", "/v1/ranking", session, body);
    assertThat(ambiguous.status()).as(ambiguous.body()).isEqualTo(400);
    assertThat(JSON.readTree(ambiguous.body()).get("type").asText()).isEqualTo("invalid_request");
    assertThat(JSON.readTree(ambiguous.body()).get("message").asText())
        .isEqualTo(
            "model: required when several models are served; expected one of tiny, "
                + NIM_MODEL
                + ", ghost");
  }

  @Test
  void imagePassagesToATextModelAnswer400SayingSo() throws Exception {
    HttpResponse<String> response =
        post(
            edgeA,
            "{\"model\":\"tiny\",\"query\":{\"text\":\"a road\"},\"passages\":[{\"image\":"
                + "\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==\"}]}");

    assertError(response, 400, "invalid_request");
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .isEqualTo("passages[0]: image passages need a multimodal reranker; tiny takes text");
  }

  @Test
  void modelListHealthMetadataAndVersionHaveTheNimShapes() throws Exception {
    JsonNode models = JSON.readTree(get(edgeA, "/v1/models").body());
    for (JsonNode model : models.get("data")) {
      assertThat(model.fieldNames())
          .toIterable()
          .containsExactly("id", "object", "created", "owned_by", "root");
      assertThat(model.get("object").asText()).isEqualTo("model");
      assertThat(model.get("created").isIntegralNumber()).isTrue();
      assertThat(model.get("created").asLong())
          .isBetween(
              java.time.Instant.now().minus(Duration.ofHours(1)).getEpochSecond(),
              java.time.Instant.now().getEpochSecond());
      assertThat(model.get("owned_by").asText()).isEqualTo("rerankflow");
      assertThat(model.get("root").asText()).isEqualTo(model.get("id").asText());
    }

    assertThat(get(edgeA, "/v1/health/live").body())
        .isEqualTo(
            "{\"object\":\"health.response\",\"message\":\"Service is live.\",\"status\":\"live\"}");
    assertThat(get(edgeA, "/v1/health/ready").body())
        .isEqualTo(
            "{\"object\":\"health.response\",\"message\":\"Service is ready.\","
                + "\"status\":\"ready\"}");

    HttpResponse<String> metadata = get(edgeA, "/v1/metadata");
    assertThat(metadata.statusCode()).isEqualTo(200);
    JsonNode meta = JSON.readTree(metadata.body());
    assertThat(meta.get("modelInfo").findValuesAsText("shortName"))
        .containsExactly("tiny", NIM_MODEL, "ghost");
    assertThat(meta.get("assetInfo").isArray()).isTrue();
    String release = meta.get("version").asText();
    assertThat(release).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");

    JsonNode version = JSON.readTree(get(edgeA, "/v1/version").body());
    assertThat(version.fieldNames()).toIterable().containsExactly("release", "api");
    assertThat(version.get("release").asText()).isEqualTo(release);
    assertThat(version.get("api").asText())
        .isEqualTo(
            new YAMLMapper()
                .readTree(get(edgeA, "/openapi.yaml").body())
                .get("info")
                .get("version")
                .asText());
  }

  @Test
  void unknownPathsAndMethodsAnswerTheNimErrorShapeInJson() throws Exception {
    java.util.Map<String, String> accept = java.util.Map.of("Accept", "text/html");
    RawResponse missing = raw(edgeA, "GET", "/v2/ranking", accept, null);
    RawResponse wrongMethod = raw(edgeA, "GET", "/v1/ranking", accept, null);
    RawResponse deleteModels = raw(edgeA, "DELETE", "/v1/models", accept, null);

    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.headers().get("content-type")).isEqualTo("application/json");
    JsonNode notFound = JSON.readTree(missing.body());
    assertThat(notFound.fieldNames()).toIterable().containsExactly("object", "message", "type");
    assertThat(notFound.get("type").asText()).isEqualTo("not_found");
    assertThat(notFound.get("message").asText()).startsWith("No route GET /v2/ranking;");
    for (RawResponse response : List.of(wrongMethod, deleteModels)) {
      assertThat(response.status()).as(response.body()).isEqualTo(405);
      assertThat(response.headers().get("content-type")).isEqualTo("application/json");
      assertThat(JSON.readTree(response.body()).get("type").asText())
          .isEqualTo("method_not_allowed");
    }
    assertThat(JSON.readTree(deleteModels.body()).get("message").asText())
        .isEqualTo("Method DELETE is not allowed on /v1/models (see /openapi.yaml)");
  }

  /** An edge serving the tiny model alone (the job serves it among others). */
  private static EdgeServer singleModelEdge(String id) throws Exception {
    return EdgeServer.start(
        CommandLine.populateCommand(
            new EdgeOptions(),
            "--port",
            "0",
            "--instance-id",
            id,
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--requests-topic",
            REQUESTS,
            "--results-topic",
            RESULTS,
            "--model",
            tiny.modelDir().toString()));
  }

  /**
   * The body Python's {@code json.dumps} writes for {@code {"model", "query", "passages"}}, with
   * {@code truncate} (when not null) at position {@code truncateAt} among those keys.
   */
  private static String pythonJson(
      String modelJson, GeneratedRequest request, String truncate, int truncateAt)
      throws Exception {
    List<String> fields = new ArrayList<>();
    fields.add("\"model\": " + modelJson);
    fields.add("\"query\": {\"text\": " + JSON.writeValueAsString(request.query()) + "}");
    List<String> passages = new ArrayList<>();
    for (String passage : request.passages()) {
      passages.add("{\"text\": " + JSON.writeValueAsString(passage) + "}");
    }
    fields.add("\"passages\": [" + String.join(", ", passages) + "]");
    if (truncate != null) {
      fields.add(truncateAt, "\"truncate\": \"" + truncate + "\"");
    }
    return "{" + String.join(", ", fields) + "}";
  }

  /** A response read off the socket by {@link #raw}. */
  private record RawResponse(int status, Map<String, String> headers, String body) {}

  /** One HTTP/1.1 exchange written by hand, so every request header is exactly the client's. */
  private static RawResponse raw(
      EdgeServer edge, String method, String path, Map<String, String> headers, String body)
      throws java.io.IOException {
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(edge.port()).append("\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(payload.length).append("\r\n");
    }
    head.append("\r\n");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", edge.port())) {
      socket.setSoTimeout((int) ANSWER.toMillis());
      java.io.OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      int status = Integer.parseInt(line(in).split(" ")[1]);
      Map<String, String> responseHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        responseHeaders.put(
            header.substring(0, colon).strip(), header.substring(colon + 1).strip());
      }
      assertThat(responseHeaders).doesNotContainKey("transfer-encoding");
      int length = Integer.parseInt(responseHeaders.getOrDefault("content-length", "0"));
      return new RawResponse(
          status, responseHeaders, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }
  }

  private static String line(java.io.InputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new java.io.EOFException("connection closed mid-line: " + line);
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
