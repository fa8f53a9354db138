package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rerankflow.jobs.KafkaJobExtension;
import io.rerankflow.jobs.RunningJob;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.SaslBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * Kafka that asks for credentials: a SASL_PLAINTEXT broker with SCRAM-SHA-512 users and ACLs. The
 * job and the edge, each with its own user and only the ACLs it needs, serve rankings; a wrong
 * password stops either at start with one line naming the cause, not a minute of retries.
 */
class KafkaSaslITCase {
  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withBroker(1, 1, SaslBroker::start);

  private static final String REQUESTS = "sasl-requests";
  private static final String RESULTS = "sasl-results";
  private static final String GROUP = "sasl-job";
  private static final String JOB_USER = "rerank-job";
  private static final String JOB_PASSWORD = "job-password-7f3a";
  private static final String EDGE_USER = "rerank-edge";
  private static final String EDGE_PASSWORD = "edge-password-91c2";
  private static final String STRANGER = "stranger";
  private static final String STRANGER_PASSWORD = "stranger-password-5d0e";
  private static final Duration ANSWER = Duration.ofSeconds(90);

  private static SaslBroker broker;

  @BeforeAll
  static void usersAndAcls() throws Exception {
    broker = (SaslBroker) KAFKA.broker();
    broker.createTopics(2, REQUESTS, RESULTS);
    broker.addUser(JOB_USER, JOB_PASSWORD);
    broker.addUser(EDGE_USER, EDGE_PASSWORD);
    broker.addUser(STRANGER, STRANGER_PASSWORD);
    // What each needs and no more: the job reads requests in its group and writes results; the
    // edge writes requests and reads results (assigned, no group).
    broker.allow(JOB_USER, ResourceType.TOPIC, REQUESTS, AclOperation.READ, AclOperation.DESCRIBE);
    broker.allow(JOB_USER, ResourceType.TOPIC, RESULTS, AclOperation.WRITE, AclOperation.DESCRIBE);
    broker.allow(JOB_USER, ResourceType.GROUP, GROUP, AclOperation.READ);
    broker.allow(
        EDGE_USER, ResourceType.TOPIC, REQUESTS, AclOperation.WRITE, AclOperation.DESCRIBE);
    broker.allow(EDGE_USER, ResourceType.TOPIC, RESULTS, AclOperation.READ, AclOperation.DESCRIBE);
  }

  @Test
  void theJobAndTheEdgeWithTheirCredentialsServeRankings() throws Exception {
    try (RunningJob job = KAFKA.startJob("sasl job", jobArgs(JOB_USER, JOB_PASSWORD));
        EdgeServer edge =
            EdgeServer.start(
                CommandLine.populateCommand(
                    new EdgeOptions(), edgeArgs(EDGE_USER, EDGE_PASSWORD)))) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      for (int i = 0; i < 3; i++) {
        GeneratedRequest request = GeneratedRequest.generated("sasl-" + i, 300 + i);
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + edge.port() + "/v1/ranking"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.json(false)))
                    .timeout(ANSWER)
                    .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        RerankOutput actual = OutputJson.fromPipelineJson(response.body());
        assertThat(actual.indices).containsExactly(KAFKA.tiny().expected(request).indices);
      }
    }
  }

  @Test
  void aWrongPasswordStopsTheJobAtStartWithOneLineNamingTheCause() {
    assertThatThrownBy(() -> KAFKA.startJob("sasl wrong", jobArgs(JOB_USER, "not-" + JOB_PASSWORD)))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .contains("refused the client's credentials")
        .contains("SCRAM-SHA-512")
        .doesNotContain("\n")
        .doesNotContain(JOB_PASSWORD);
  }

  @Test
  void aWrongPasswordStopsTheEdgeCommandWithOneLineAndTheUsageStatus() {
    StringWriter err = new StringWriter();
    CommandLine command = EdgeCommand.commandLine().setErr(new PrintWriter(err));

    int status = command.execute(edgeArgs(EDGE_USER, "not-" + EDGE_PASSWORD));

    // 2, as for any option that needs fixing: the credentials are --kafka-property values.
    assertThat(status).isEqualTo(2);
    assertThat(err.toString().lines().toList())
        .singleElement()
        .asString()
        .startsWith("edge: Kafka at " + broker.bootstrapServers() + " refused")
        .contains("invalid credentials")
        .contains("SCRAM-SHA-512")
        .doesNotContain(EDGE_PASSWORD);
  }

  @Test
  void aUserWithoutAclsIsNotGivenTheTopics() {
    assertThatThrownBy(
            () ->
                EdgeServer.start(
                    CommandLine.populateCommand(
                        new EdgeOptions(), edgeArgs(STRANGER, STRANGER_PASSWORD))))
        .hasMessageContaining("topic " + REQUESTS)
        .hasMessageContaining("may not describe it");
  }

  private static String[] jobArgs(String user, String password) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--source",
                "kafka",
                "--sink",
                "kafka",
                "--requests-topic",
                REQUESTS,
                "--results-topic",
                RESULTS,
                "--group-id",
                GROUP,
                "--delivery",
                "at-least-once",
                "--starting-offsets",
                "earliest"));
    credentials(args, user, password);
    return args.toArray(String[]::new);
  }

  private static String[] edgeArgs(String user, String password) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                "0",
                "--instance-id",
                "edge-sasl",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--requests-topic",
                REQUESTS,
                "--results-topic",
                RESULTS,
                "--model",
                KAFKA.tiny().modelDir().toString()));
    credentials(args, user, password);
    return args.toArray(String[]::new);
  }

  private static void credentials(List<String> args, String user, String password) {
    for (Map.Entry<String, String> property : SaslBroker.client(user, password).entrySet()) {
      args.add("--kafka-property");
      args.add(property.getKey() + "=" + property.getValue());
    }
  }
}
