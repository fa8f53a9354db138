package io.rerankflow.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.InJvmBroker;
import io.rerankflow.testing.KafkaTestClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/sql} itself, run as a user runs it: Flink's own {@code SqlClient} in a child JVM
 * with the provider jar, on the repository's examples (paths, broker and model swapped for the
 * test's), against the tiny model's Java arithmetic; and a failing statement's exit status.
 */
class SqlClientITCase {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @TempDir static Path shared;
  private static Path tinyModel;
  private static InJvmBroker kafka;

  @BeforeAll
  static void start() throws Exception {
    assertThat(ROOT.resolve("scripts/sql")).as("run from the sql module").isExecutable();
    tinyModel = SqlFixtures.tinyModel(shared.resolve("tiny"));
    kafka = InJvmBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  private record Run(int exit, String out, String err) {}

  /** {@code scripts/sql ARGS} from the repository root, as a user starts it. */
  private static Run sql(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("scripts/sql").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "sql", ".out");
    Path err = Files.createTempFile(dir, "sql", ".err");
    Process process =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    // Generous: start-up, planning and the job on a shared 2-core machine.
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("scripts/sql did not end in 10 minutes: " + Files.readString(out));
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static String example(String name) throws IOException {
    return Files.readString(ROOT.resolve("examples/sql").resolve(name));
  }

  private static String replaceOnce(String text, String what, String with) {
    assertThat(text).as("the example has %s", what).containsOnlyOnce(what);
    return text.replace(what, with);
  }

  @Test
  void theFileExampleWritesOneRankedRowPerRequestAsTheTinyModelComputes(@TempDir Path dir)
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      lines.add(SqlFixtures.fitting("f" + r, 500 + r));
    }
    Path requests = dir.resolve("requests.jsonl");
    Files.write(requests, lines);
    Path results = dir.resolve("out");
    String script = example("rerank-file.sql");
    script = replaceOnce(script, "'examples/requests-sql.jsonl'", "'" + requests + "'");
    script = replaceOnce(script, "'out/sql'", "'" + results + "'");
    script = replaceOnce(script, "'model' = 'default'", "'model' = '" + tinyModel + "'");
    Path file = dir.resolve("rerank-file.sql");
    Files.writeString(file, script);

    Run run = sql(dir, "-f", file.toString());
    assertThat(run.exit()).as(run.out() + run.err()).isZero();

    Map<String, JsonNode> rows = SqlFixtures.sqlRows(results);
    assertThat(rows).hasSize(lines.size());
    for (String line : lines) {
      RerankOutput expected = SqlFixtures.tinyOracle(tinyModel, line);
      assertThat(rows).containsKey(expected.id);
      SqlFixtures.assertSameRanking(expected.id, rows.get(expected.id).get("rankings"), expected);
    }
  }

  @Test
  void theKafkaExampleAnswersEveryRequestOnceUnderReadCommitted(@TempDir Path dir)
      throws Exception {
    String bootstrap = kafka.bootstrapServers();
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin client = Admin.create(admin)) {
      client
          .createTopics(
              List.of(
                  new NewTopic("rerank-requests", 2, (short) 1),
                  new NewTopic("rerank-enriched", 2, (short) 1)))
          .all()
          .get();
    }
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 50; r++) {
      lines.add(SqlFixtures.fitting("k" + r, 1000 + r));
    }
    String bad = SqlFixtures.request("bad", "{\"text\":\"\"}", List.of("the road"), "END");
    Properties producer = new Properties();
    producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<byte[], byte[]> out =
        new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String line : lines) {
        out.send(new ProducerRecord<>("rerank-requests", line.getBytes(StandardCharsets.UTF_8)));
      }
      out.send(new ProducerRecord<>("rerank-requests", bad.getBytes(StandardCharsets.UTF_8)));
    }

    String script = example("rerank-kafka.sql");
    script = script.replace("'127.0.0.1:9092'", "'" + bootstrap + "'");
    script = replaceOnce(script, "'model' = 'default'", "'model' = '" + tinyModel + "'");
    script = replaceOnce(script, "= '10 s'", "= '1 s'");
    // Bounded, so the INSERT ends once it has read what is on the topic now.
    script =
        replaceOnce(
            script,
            "'scan.startup.mode' = 'earliest-offset',",
            "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',");
    Path file = dir.resolve("rerank-kafka.sql");
    Files.writeString(file, script);

    Run run = sql(dir, "-f", file.toString());
    assertThat(run.exit()).as(run.out() + run.err()).isZero();

    Map<String, JsonNode> answers = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record :
        KafkaTestClients.readSettled(bootstrap, "rerank-enriched")) {
      JsonNode row = SqlFixtures.json(record.value());
      assertThat(answers.put(row.get("id").textValue(), row))
          .as("answered twice: %s", row.get("id"))
          .isNull();
    }
    assertThat(answers).hasSize(lines.size() + 1);
    for (String line : lines) {
      RerankOutput expected = SqlFixtures.tinyOracle(tinyModel, line);
      JsonNode answer = answers.get(expected.id);
      assertThat(answer).as(expected.id).isNotNull();
      SqlFixtures.assertSameRanking(expected.id, answer.get("rankings"), expected);
      JsonNode request = SqlFixtures.json(line.getBytes(StandardCharsets.UTF_8));
      assertThat(answer.get("query").textValue())
          .isEqualTo(request.get("query").get("text").textValue());
      assertThat(answer.get("best_passage").textValue())
          .as("%s best passage", expected.id)
          .isEqualTo(request.get("passages").get(expected.indices[0]).get("text").textValue());
      assertThat(answer.get("error").isNull()).as(expected.id).isTrue();
    }
    JsonNode error = answers.get("bad").get("error");
    assertThat(error.get("status").intValue()).isEqualTo(400);
    assertThat(answers.get("bad").get("rankings").isNull()).isTrue();
  }

  @Test
  void aFailingStatementStopsTheScriptWithANonZeroExitNamingIt(@TempDir Path dir) throws Exception {
    String file = example("rerank-file.sql");
    file = replaceOnce(file, "'model' = 'default'", "'model' = '" + tinyModel + "'");
    file = replaceOnce(file, "'out/sql'", "'" + dir.resolve("out") + "'");
    file += "\nSELECT 'still' || ' going';\n";

    Path unknownColumn = dir.resolve("unknown-column.sql");
    Files.writeString(
        unknownColumn, replaceOnce(file, "SELECT id, rankings FROM", "SELECT id, ranking FROM"));
    Run column = sql(dir, "-f", unknownColumn.toString());
    assertThat(column.exit()).as(column.out()).isEqualTo(1);
    assertThat(column.err())
        .contains(
            "scripts/sql: statement failed: INSERT INTO results SELECT id, ranking FROM"
                + " ML_PREDICT(TABLE requests, MODEL reranker, DESCRIPTOR(query, passages))");
    assertThat(column.out()).contains("Column 'ranking' not found");

    Path unknownOption = dir.resolve("unknown-option.sql");
    Files.writeString(
        unknownOption,
        replaceOnce(file, "'truncate' = 'END'", "'truncate' = 'END', 'batch' = '8'"));
    Run option = sql(dir, "-f", unknownOption.toString());
    assertThat(option.exit()).as(option.out()).isEqualTo(1);
    assertThat(option.err()).contains("scripts/sql: statement failed: INSERT INTO results");
    assertThat(option.out()).contains("Unsupported options found for 'rerankflow'", "batch");
    assertThat(option.out()).as("no statement after the failing one ran").doesNotContain("still");
  }
}
