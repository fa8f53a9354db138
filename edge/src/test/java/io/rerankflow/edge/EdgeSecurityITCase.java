package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.jobs.KafkaJobExtension;
import io.rerankflow.jobs.RunningJob;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.CapturedLogs;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.TestBroker;
import io.rerankflow.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The edge as deployed without a proxy in front: HTTPS with a certificate from a CA the test makes
 * itself, keys from a file that is edited while the edge runs, per-key quotas, in front of the real
 * job on a MiniCluster and a real broker. The last test scans everything logged for the keys.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeSecurityITCase {
  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 1);

  private static final String REQUESTS = "secure-requests";
  private static final String RESULTS = "secure-results";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ANSWER = Duration.ofSeconds(90);
  private static final Duration RELOAD = Duration.ofSeconds(30);

  // Distinctive, so the log scan cannot miss one.
  private static final String ALICE = "rk-alice-" + UUID.randomUUID();
  private static final String SLOW = "rk-slow-" + UUID.randomUUID();
  private static final String CAROL = "rk-carol-" + UUID.randomUUID();
  private static final String DAVE = "rk-dave-" + UUID.randomUUID();
  private static final String ERIN = "rk-erin-" + UUID.randomUUID();

  @TempDir static Path dir;
  private static CapturedLogs logs;
  private static TestCertificates ca;
  private static Path certFile;
  private static Path keyFile;
  private static Path apiKeys;
  private static RunningJob job;
  private static EdgeServer edge;
  private static HttpClient https;

  @BeforeAll
  static void start() throws Exception {
    logs = CapturedLogs.start();
    ca = TestCertificates.authority(dir);
    certFile = dir.resolve("edge-cert.pem");
    keyFile = dir.resolve("edge-key.pem");
    ca.server("edge-first").writeTo(certFile, keyFile);
    apiKeys = dir.resolve("api-keys");
    // The slow key is written as its hash: the file need not hold the secret.
    writeKeys("alice " + ALICE, "slow sha256:" + sha256Hex(SLOW) + " 0.01", "carol " + CAROL);
    TestBroker broker = KAFKA.broker();
    broker.createTopics(2, REQUESTS, RESULTS);
    job =
        KAFKA.startJob(
            "secure edge",
            "--source",
            "kafka",
            "--sink",
            "kafka",
            "--requests-topic",
            REQUESTS,
            "--results-topic",
            RESULTS,
            "--delivery",
            "at-least-once",
            "--starting-offsets",
            "earliest");
    edge =
        EdgeServer.start(
            CommandLine.populateCommand(
                new EdgeOptions(),
                "--port",
                "0",
                "--instance-id",
                "edge-secure",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--requests-topic",
                REQUESTS,
                "--results-topic",
                RESULTS,
                "--model",
                KAFKA.tiny().modelDir().toString(),
                "--tls-cert",
                certFile.toString(),
                "--tls-key",
                keyFile.toString(),
                "--api-keys",
                apiKeys.toString()));
    https = client(ca.clientContext());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (edge != null) {
        edge.close();
      }
      if (job != null) {
        job.close();
      }
    } catch (IllegalStateException e) {
      // The MiniCluster extension has shut the cluster down, and the job with it.
    } finally {
      if (logs != null) {
        logs.close();
      }
    }
  }

  @Test
  @Order(1)
  void httpsWithAValidKeyRanksOverHttp2AndWithoutOrWithAWrongKeyIs401() throws Exception {
    GeneratedRequest request = GeneratedRequest.generated("secure", 11);

    HttpResponse<String> ranked = rank(request.json(false), ALICE);

    assertThat(ranked.statusCode()).as(ranked.body()).isEqualTo(200);
    assertThat(ranked.version()).as("ALPN chose HTTP/2").isEqualTo(HttpClient.Version.HTTP_2);
    RerankOutput actual = OutputJson.fromPipelineJson(ranked.body());
    assertThat(actual.indices).containsExactly(KAFKA.tiny().expected(request).indices);

    HttpResponse<String> none = rank(request.json(false), null);
    assertError(none, 401, "unauthorized");
    assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");
    assertError(rank(request.json(false), ALICE + "x"), 401, "unauthorized");
    assertError(rank(request.json(false), "sha256:" + sha256Hex(SLOW)), 401, "unauthorized");
    assertThat(get("/v1/models", null).statusCode()).isEqualTo(401);
    assertThat(get("/v1/models", CAROL).statusCode()).isEqualTo(200);
    // Probes and metrics are open unless --health-needs-key / --metrics-need-key.
    assertThat(get("/v1/health/live", null).statusCode()).isEqualTo(200);
    assertThat(get("/v1/metrics", null).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void tls11AndPlainHttpAreRefusedWhileTheSameHelloAsTls12IsAnswered() throws Exception {
    assertThat(firstRecordType(clientHello(0x0303)))
        .as("control: a TLS 1.2 ClientHello gets a handshake record (ServerHello)")
        .isEqualTo(22);
    assertThat(firstRecordType(clientHello(0x0302)))
        .as("TLS 1.1: an alert or the connection closed, never a ServerHello")
        .isIn(21, -1);

    byte[] plain =
        "GET /v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    String answer = new String(exchange(plain), StandardCharsets.ISO_8859_1);
    assertThat(answer).doesNotContain("HTTP/1.1").doesNotContain("status");
  }

  @Test
  @Order(3)
  void aKeyOverItsQuotaGets429WithRetryAfterWhileAnotherKeyGetsAll200() throws Exception {
    // 0.01 pairs per second: after the first request (3 pairs) the slow key is in debt for
    // minutes, so every later request of it is over its quota however slow this machine is.
    int rounds = 5;
    int slowOk = 0;
    int slowRefused = 0;
    int aliceOk = 0;
    for (int i = 0; i < rounds; i++) {
      GeneratedRequest request = GeneratedRequest.generated("quota-" + i, 100 + i);
      HttpResponse<String> slow = rank(request.json(false), SLOW);
      if (slow.statusCode() == 200) {
        slowOk++;
      } else {
        assertError(slow, 429, "quota_exceeded");
        assertThat(JSON.readTree(slow.body()).get("message").asText()).contains("'slow'");
        assertThat(Long.parseLong(slow.headers().firstValue("retry-after").orElseThrow()))
            .isGreaterThanOrEqualTo(1);
        slowRefused++;
      }
      HttpResponse<String> alice = rank(request.json(false), ALICE);
      assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
      aliceOk++;
    }

    assertThat(slowOk).as("the slow key's one burst").isEqualTo(1);
    assertThat(slowRefused).isEqualTo(rounds - 1);
    assertThat(aliceOk).isEqualTo(rounds);
    String metrics = get("/v1/metrics", null).body();
    assertThat(metrics)
        .contains("rerankflow_edge_key_requests_total{key=\"slow\",status=\"429\"} 4.0")
        .contains("rerankflow_edge_key_requests_total{key=\"alice\",status=\"200\"}");
  }

  @Test
  @Order(4)
  void editsOfTheKeyFileTakeEffectWithoutARestartAndAMalformedOneIsRefused() throws Exception {
    assertThat(get("/v1/models", CAROL).statusCode()).isEqualTo(200);
    assertThat(get("/v1/models", DAVE).statusCode()).isEqualTo(401);

    writeKeys("alice " + ALICE, "slow sha256:" + sha256Hex(SLOW) + " 0.01", "dave " + DAVE);
    awaitTrue("carol removed and dave added", () -> status(CAROL) == 401 && status(DAVE) == 200);
    double reloads = metric("rerankflow_edge_api_keys_reloads");

    writeKeys("alice " + ALICE, "dave " + DAVE, "erin " + ERIN + " fast");
    awaitTrue(
        "the malformed file reported", () -> metric("rerankflow_edge_api_keys_rejected") >= 1);
    assertThat(logs.text()).contains(apiKeys + " line 3: PAIRS_PER_SECOND must be a positive");
    assertThat(status(ERIN)).as("nothing of a malformed file is taken").isEqualTo(401);
    assertThat(status(DAVE)).as("the previous keys stay in force").isEqualTo(200);
    assertThat(metric("rerankflow_edge_api_keys_reloads")).isEqualTo(reloads);
    assertThat(metric("rerankflow_edge_api_keys")).isEqualTo(3.0);

    writeKeys("alice " + ALICE, "dave " + DAVE, "erin " + ERIN);
    awaitTrue("the corrected file taken", () -> status(ERIN) == 200);
  }

  @Test
  @Order(5)
  void aRotatedCertificateIsServedToNewConnectionsWithoutARestart() throws Exception {
    assertThat(peerSubject()).isEqualTo("CN=edge-first");

    ca.server("edge-rotated").writeTo(certFile, keyFile);

    awaitTrue("the rotated certificate served", () -> peerSubject().equals("CN=edge-rotated"));
    HttpClient fresh = client(ca.clientContext());
    HttpResponse<String> models =
        fresh.send(
            HttpRequest.newBuilder(uri("/v1/models"))
                .header("authorization", "Bearer " + ALICE)
                .timeout(ANSWER)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.version()).as("ALPN after the reload").isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  @Order(6)
  void anEdgeWhoseKeyIsNotTheCertificatesDoesNotStartAndSaysSo() throws Exception {
    Path cert = dir.resolve("mismatch-cert.pem");
    Path key = dir.resolve("mismatch-key.pem");
    Files.write(cert, ca.server("edge-mismatch-a").chainPem());
    Files.write(key, ca.server("edge-mismatch-b").keyPem());
    String[] args = {
      "--port", "0",
      "--bootstrap-servers", KAFKA.broker().bootstrapServers(),
      "--requests-topic", REQUESTS,
      "--results-topic", RESULTS,
      "--model", KAFKA.tiny().modelDir().toString(),
      "--tls-cert", cert.toString(),
      "--tls-key", key.toString()
    };

    assertThatThrownBy(() -> EdgeServer.start(CommandLine.populateCommand(new EdgeOptions(), args)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--tls-key is not the key of the first certificate in --tls-cert");
  }

  @Test
  @Order(7)
  void noKeyAppearsInLogsMetricsOrErrorBodies() throws Exception {
    String metrics = get("/v1/metrics", null).body();
    String unauthorised = rank(GeneratedRequest.generated("x", 1).json(false), ALICE + "!").body();
    String logged = logs.text();

    assertThat(logged).as("the log scan has something to scan").contains("API keys reloaded");
    for (String key : List.of(ALICE, SLOW, CAROL, DAVE, ERIN, sha256Hex(SLOW))) {
      assertThat(logged).doesNotContain(key);
      assertThat(metrics).doesNotContain(key);
      assertThat(unauthorised).doesNotContain(key);
    }
  }

  private static HttpClient client(SSLContext context) {
    return HttpClient.newBuilder()
        .sslContext(context)
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static URI uri(String path) {
    return URI.create("https://127.0.0.1:" + edge.port() + path);
  }

  private static HttpResponse<String> rank(String body, String key) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/v1/ranking"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(ANSWER);
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(ANSWER);
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int status(String key) {
    try {
      return get("/v1/models", key).statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static double metric(String name) {
    try {
      Matcher m =
          Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$")
              .matcher(get("/v1/metrics", null).body());
      assertThat(m.find()).as("metric %s", name).isTrue();
      return Double.parseDouble(m.group(1));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertError(HttpResponse<String> response, int status, String type)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("object").asText()).isEqualTo("error");
    assertThat(error.get("type").asText()).isEqualTo(type);
  }

  /** Polls {@code condition} until it holds, within a bound far above the edge's 1 s polling. */
  private static void awaitTrue(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + RELOAD.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void writeKeys(String... lines) throws Exception {
    Path temp = Files.createTempFile(dir, "api-keys", ".tmp");
    Files.write(temp, List.of(lines));
    Files.move(temp, apiKeys, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String sha256Hex(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  /** The subject of the certificate a new TLS connection to the edge is given. */
  private static String peerSubject() {
    try (SSLSocket socket =
        (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1", edge.port())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
          .getSubjectX500Principal()
          .getName();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The content type of the first record the edge sends back, or -1 when it just closes. */
  private static int firstRecordType(byte[] hello) throws IOException {
    byte[] answer = exchange(hello);
    return answer.length == 0 ? -1 : answer[0] & 0xff;
  }

  /** Sends raw bytes and reads what comes back until the edge closes or goes quiet. */
  private static byte[] exchange(byte[] sent) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", edge.port()), 10_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(sent);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[5];
      int read = 0;
      try {
        while (read < buffer.length) {
          int n = in.read(buffer, read, buffer.length - read);
          if (n < 0) {
            break;
          }
          read += n;
        }
      } catch (java.net.SocketException e) {
        // a reset: the edge closed without answering
      }
      byte[] answer = new byte[read];
      System.arraycopy(buffer, 0, answer, 0, read);
      return answer;
    }
  }

  /**
   * A minimal ClientHello (RFC 5246 7.4.1.2) offering {@code version} with ECDHE-ECDSA suites,
   * P-256 and ECDSA-SHA256 signatures: byte for byte the same for TLS 1.1 and TLS 1.2 but for the
   * version, so the control's ServerHello shows that only the version decides.
   */
  private static byte[] clientHello(int version) throws IOException {
    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    DataOutputStream ext = new DataOutputStream(extensions);
    ext.writeShort(0x000a); // supported_groups: secp256r1
    ext.writeShort(4);
    ext.writeShort(2);
    ext.writeShort(0x0017);
    ext.writeShort(0x000b); // ec_point_formats: uncompressed
    ext.writeShort(2);
    ext.writeByte(1);
    ext.writeByte(0);
    ext.writeShort(0x000d); // signature_algorithms: ecdsa_secp256r1_sha256
    ext.writeShort(4);
    ext.writeShort(2);
    ext.writeShort(0x0403);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream hello = new DataOutputStream(body);
    hello.writeShort(version);
    hello.write(new byte[32]); // random
    hello.writeByte(0); // no session id
    hello.writeShort(4);
    hello.writeShort(0xc02b); // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (TLS 1.2)
    hello.writeShort(0xc009); // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (TLS 1.0/1.1)
    hello.writeByte(1);
    hello.writeByte(0); // null compression
    hello.writeShort(extensions.size());
    hello.write(extensions.toByteArray());
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(record);
    out.writeByte(22); // handshake
    out.writeShort(0x0301); // record version, as clients send it
    out.writeShort(body.size() + 4);
    out.writeByte(1); // client_hello
    out.writeByte(0);
    out.writeShort(body.size());
    out.write(body.toByteArray());
    return record.toByteArray();
  }
}
