package io.rerankflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.jobs.kafka.DeadLetter;
import io.rerankflow.jobs.kafka.KafkaRequestRouter;
import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RerankOutput;
import io.rerankflow.testing.GeneratedRequest;
import io.rerankflow.testing.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input mixed into the requests topic: every good request gets its ranking, every bad one its
 * error record with the NIM's status, bytes that are not a JSON object also a dead letter, the
 * correlation headers travel onto the results, and the job never restarts.
 */
class KafkaBadInputITCase {
  @RegisterExtension
  static final KafkaJobExtension KAFKA = KafkaJobExtension.withTaskManagers(1, 2);

  /** One record to send and what must come of it. */
  private record Case(
      String name, byte[] value, String id, int status, String errorType, boolean deadLetter) {}

  @Test
  void badRequestsYieldErrorRecordsAndDeadLettersWithoutRestartingTheJob(@TempDir Path savepoints)
      throws Exception {
    String requests = "bad-requests";
    String results = "bad-results";
    String deadLetters = "bad-dead-letters";
    KAFKA.broker().createTopics(1, requests, results, deadLetters);

    String longQuery = "the long road ".repeat(20);
    List<Case> bad =
        List.of(
            new Case(
                "malformed",
                utf8("{\"id\":\"m\",\"model\":\"tiny\","),
                null,
                400,
                "malformed_json",
                true),
            new Case("array", utf8("[1,2,3]"), null, 400, "malformed_json", true),
            new Case("text", utf8("hello"), null, 400, "malformed_json", true),
            new Case(
                "binary",
                new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1},
                null,
                400,
                "malformed_json",
                true),
            new Case("tombstone", null, null, 400, "malformed_json", true),
            // Latin-1 text inside an otherwise valid request: a decoder would silently replace it.
            new Case(
                "latin1",
                ("{\"id\":\"latin1\",\"model\":\"tiny\",\"query\":{\"text\":\"caf\u00e9\"},"
                        + "\"passages\":[{\"text\":\"b\"}]}")
                    .getBytes(StandardCharsets.ISO_8859_1),
                null,
                400,
                "malformed_json",
                true),
            new Case(
                "wrong-types",
                utf8(
                    "{\"id\":\"wrong-types\",\"model\":\"tiny\",\"query\":{\"text\":5},"
                        + "\"passages\":[{\"text\":\"b\"}]}"),
                "wrong-types",
                400,
                "invalid_request",
                false),
            new Case(
                "passage-type",
                utf8(
                    "{\"id\":\"passage-type\",\"model\":\"tiny\",\"query\":{\"text\":\"a\"},"
                        + "\"passages\":[{\"text\":\"b\"},{\"text\":[]}]}"),
                "passage-type",
                400,
                "invalid_request",
                false),
            new Case(
                "too-many",
                utf8(
                    "{\"id\":\"too-many\",\"model\":\"tiny\",\"query\":{\"text\":\"a\"},"
                        + "\"passages\":["
                        + IntStream.range(0, 513)
                            .mapToObj(i -> "{\"text\":\"p\"}")
                            .collect(Collectors.joining(","))
                        + "]}"),
                "too-many",
                400,
                "too_many_passages",
                false),
            new Case(
                "unknown-model",
                utf8(
                    "{\"id\":\"unknown-model\",\"model\":\"nope\",\"query\":{\"text\":\"a\"},"
                        + "\"passages\":[{\"text\":\"b\"}]}"),
                "unknown-model",
                404,
                "model_not_found",
                false),
            new Case(
                "too-long",
                utf8(
                    "{\"id\":\"too-long\",\"model\":\"tiny\",\"query\":{\"text\":\""
                        + longQuery
                        + "\"},\"passages\":[{\"text\":\"b\"}],\"truncate\":\"NONE\"}"),
                "too-long",
                422,
                "input_too_long",
                false));

    try (RunningJob job =
            KAFKA.startJob(
                "bad input",
                "--source",
                "kafka",
                "--sink",
                "kafka",
                "--requests-topic",
                requests,
                "--results-topic",
                results,
                "--dead-letter-topic",
                deadLetters,
                "--group-id",
                "bad",
                "--starting-offsets",
                "earliest",
                "--parallelism",
                "2");
        KafkaProducer<byte[], byte[]> producer =
            KafkaTestClients.producer(KAFKA.broker().bootstrapServers())) {

      Map<String, GeneratedRequest> good = new HashMap<>();
      Map<String, Case> badById = new HashMap<>();
      Map<String, Long> badOffsets = new HashMap<>();
      Map<String, byte[]> replyTo = new HashMap<>();
      int sent = 0;
      for (int r = 0; r < 6 * bad.size(); r++) {
        GeneratedRequest request = GeneratedRequest.generated("good-" + r, 1000 + r);
        byte[] reply = utf8("replies-" + r);
        producer.send(record(requests, request.bytes(true), reply)).get();
        good.put(request.id(), request);
        replyTo.put(request.id(), reply);
        sent++;
        if (r % 6 == 0) {
          Case c = bad.get(r / 6);
          byte[] badReply = utf8("replies-" + c.name());
          RecordMetadata meta = producer.send(record(requests, c.value(), badReply)).get();
          String id = c.id() != null ? c.id() : requests + "-0-" + meta.offset();
          badById.put(id, c);
          badOffsets.put(c.name(), meta.offset());
          replyTo.put(id, badReply);
          sent++;
        }
      }
      int expectedDeadLetters = (int) bad.stream().filter(Case::deadLetter).count();

      int total = sent;
      try (KafkaConsumer<byte[], byte[]> resultReader =
              KafkaTestClients.reader(KAFKA.broker().bootstrapServers(), results, true);
          KafkaConsumer<byte[], byte[]> letterReader =
              KafkaTestClients.reader(KAFKA.broker().bootstrapServers(), deadLetters, true)) {
        KafkaTestClients.pollUntil(
            resultReader, new ArrayList<>(), s -> s.size() >= total, Duration.ofSeconds(90));
        KafkaTestClients.pollUntil(
            letterReader,
            new ArrayList<>(),
            s -> s.size() >= expectedDeadLetters,
            Duration.ofSeconds(30));
      }
      long deadLetterCount = KAFKA.counter(job.id(), KafkaRequestRouter.DEAD_LETTER_METRIC);
      assertThat(deadLetterCount).as("deadLetters metric").isEqualTo(expectedDeadLetters);
      assertThat(KAFKA.restarts(job.id())).as("restarts").isZero();
      assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
      // Drained, the job has written everything it ever will: nothing else may be in the topics.
      job.drain(savepoints);
      assertThat(KAFKA.restarts(job.id())).as("restarts").isZero();
      List<ConsumerRecord<byte[], byte[]>> resultRecords =
          KafkaTestClients.readSettled(KAFKA.broker().bootstrapServers(), results);
      List<ConsumerRecord<byte[], byte[]>> letters =
          KafkaTestClients.readSettled(KAFKA.broker().bootstrapServers(), deadLetters);

      Map<String, RerankOutput> outputs = new HashMap<>();
      int errors = 0;
      for (ConsumerRecord<byte[], byte[]> record : resultRecords) {
        RerankOutput out =
            OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(outputs.put(out.id, out)).as("duplicate result for %s", out.id).isNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(out.id);
        Header reply = record.headers().lastHeader("reply-to");
        assertThat(reply).as("reply-to header on %s", out.id).isNotNull();
        assertThat(reply.value()).as("reply-to of %s", out.id).isEqualTo(replyTo.get(out.id));
        errors += out.isError() ? 1 : 0;
      }
      assertThat(outputs).hasSize(sent);
      good.forEach((id, request) -> KAFKA.tiny().assertRanking(outputs.get(id), request, id));
      badById.forEach(
          (id, c) -> {
            RerankOutput out = outputs.get(id);
            assertThat(out).as(c.name()).isNotNull();
            assertThat(out.errorType).as(c.name()).isEqualTo(c.errorType());
            assertThat(out.errorStatus).as(c.name()).isEqualTo(c.status());
          });
      assertThat(outputs.get(requests + "-0-" + badOffsets.get("malformed")).errorMessage)
          .startsWith("Malformed JSON (topic " + requests + ", partition 0, offset ");
      assertThat(outputs.get(requests + "-0-" + badOffsets.get("latin1")).errorMessage)
          .endsWith("): invalid UTF-8 at byte 50 (JSON text must be UTF-8)");

      assertThat(letters).hasSize(expectedDeadLetters);
      for (ConsumerRecord<byte[], byte[]> letter : letters) {
        String offset = header(letter, DeadLetter.OFFSET_HEADER);
        Case c =
            bad.stream()
                .filter(b -> Long.toString(badOffsets.get(b.name())).equals(offset))
                .findFirst()
                .orElseThrow();
        assertThat(c.deadLetter()).as(c.name()).isTrue();
        assertThat(letter.value()).as(c.name()).isEqualTo(c.value());
        assertThat(header(letter, DeadLetter.TOPIC_HEADER)).isEqualTo(requests);
        assertThat(header(letter, DeadLetter.PARTITION_HEADER)).isEqualTo("0");
        assertThat(header(letter, DeadLetter.REASON_HEADER))
            .as(c.name())
            .containsAnyOf("Malformed JSON", "Expected a JSON object");
        assertThat(header(letter, "reply-to")).isEqualTo("replies-" + c.name());
      }

      System.out.printf(
          "KafkaBadInputITCase [%s]: sent %d (%d good, %d bad), results %d, errors %d,"
              + " dead letters %d (metric %d), duplicates 0, restarts 0%n",
          KAFKA.broker().describe(),
          sent,
          good.size(),
          badById.size(),
          outputs.size(),
          errors,
          letters.size(),
          deadLetterCount);
    }
  }

  @Test
  void resultLargerThanTheProducerLimitBecomesOneErrorRecordAndTheJobKeepsRunning(
      @TempDir Path savepoints) throws Exception {
    String requests = "large-requests";
    String results = "large-results";
    KAFKA.broker().createTopics(1, requests, results);
    int limit = 20_000;
    // 20 passages of 1,400 characters asked back with return_text: about 28 kB of result.
    String passage = "the long road ".repeat(100).strip();
    String large =
        "{\"id\":\"large\",\"model\":\"tiny\",\"query\":{\"text\":\"long road\"},"
            + "\"return_text\":true,\"truncate\":\"END\",\"passages\":["
            + IntStream.range(0, 20)
                .mapToObj(i -> "{\"text\":\"" + passage + "\"}")
                .collect(Collectors.joining(","))
            + "]}";

    try (RunningJob job =
            KAFKA.startJob(
                "result too large",
                "--source",
                "kafka",
                "--sink",
                "kafka",
                "--requests-topic",
                requests,
                "--results-topic",
                results,
                "--group-id",
                "large",
                "--starting-offsets",
                "earliest",
                "--extensions",
                "--kafka-property",
                "max.request.size=" + limit);
        KafkaProducer<byte[], byte[]> producer =
            KafkaTestClients.producer(KAFKA.broker().bootstrapServers())) {
      Map<String, GeneratedRequest> good = new HashMap<>();
      for (int r = 0; r < 20; r++) {
        GeneratedRequest request = GeneratedRequest.generated("fits-" + r, 3000 + r);
        good.put(request.id(), request);
        producer.send(record(requests, request.bytes(true), utf8("replies-" + r))).get();
        if (r == 5) {
          producer.send(record(requests, utf8(large), utf8("replies-large"))).get();
        }
      }

      try (KafkaConsumer<byte[], byte[]> reader =
          KafkaTestClients.reader(KAFKA.broker().bootstrapServers(), results, true)) {
        KafkaTestClients.pollUntil(
            reader, new ArrayList<>(), s -> s.size() >= good.size() + 1, Duration.ofSeconds(90));
      }
      assertThat(KAFKA.restarts(job.id())).as("restarts").isZero();
      assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
      // Drained, the job has written everything it ever will: nothing else may be in the topic.
      job.drain(savepoints);
      List<ConsumerRecord<byte[], byte[]>> resultRecords =
          KafkaTestClients.readSettled(KAFKA.broker().bootstrapServers(), results);

      Map<String, RerankOutput> outputs = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : resultRecords) {
        assertThat(record.serializedValueSize()).isLessThan(limit);
        RerankOutput out =
            OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(outputs.put(out.id, out)).as("duplicate result for %s", out.id).isNull();
        if (out.id.equals("large")) {
          assertThat(header(record, "reply-to")).isEqualTo("replies-large");
        }
      }
      assertThat(outputs).hasSize(good.size() + 1);
      RerankOutput tooLarge = outputs.get("large");
      assertThat(tooLarge.errorType).isEqualTo("response_too_large");
      assertThat(tooLarge.errorStatus).isEqualTo(413);
      assertThat(tooLarge.model).isEqualTo("tiny");
      assertThat(tooLarge.errorMessage).contains("max.request.size of " + limit + " bytes");
      good.forEach((id, request) -> KAFKA.tiny().assertRanking(outputs.get(id), request, id));
      assertThat(KAFKA.restarts(job.id())).as("restarts").isZero();
    }
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, byte[] value, byte[] reply) {
    return new ProducerRecord<>(
        topic, null, null, null, value, List.of(new RecordHeader("reply-to", reply)));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
