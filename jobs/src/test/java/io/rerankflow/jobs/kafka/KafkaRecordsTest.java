package io.rerankflow.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.rerankflow.schemas.OutputJson;
import io.rerankflow.schemas.RawRequest;
import io.rerankflow.schemas.RerankOutput;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaRecordsTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void requestRecordKeepsItsBytesAndOnlyTheCorrelationHeaders() {
    Map<String, byte[]> headers = new LinkedHashMap<>();
    headers.put("reply-to", utf8("replies"));
    headers.put("x-internal", utf8("secret"));
    KafkaRequest record = new KafkaRequest("reqs", 3, 41, null, utf8("{}"), headers);

    RawRequest raw = record.toRawRequest(Set.of("reply-to", "traceparent"));

    assertThat(raw.fallbackId).isEqualTo("reqs-3-41");
    assertThat(raw.origin).isEqualTo("topic reqs, partition 3, offset 41");
    assertThat(raw.payload).isEqualTo(utf8("{}"));
    assertThat(raw.headers).containsOnlyKeys("reply-to");
  }

  @Test
  void tombstoneBecomesAnEmptyPayloadThatStillGetsAnErrorRecord() {
    RawRequest raw = new KafkaRequest("reqs", 0, 5, null, null, null).toRawRequest(Set.of());
    assertThat(raw.payload).isEmpty();
    assertThat(raw.headers).isNull();
  }

  @Test
  void resultRecordIsKeyedByIdWithTheRequestsHeaders() {
    RerankOutput out = RerankOutput.ranked("q1", "tiny", new float[] {0.2f, 0.7f}, 9);
    out.headers = Map.of("reply-to", utf8("replies"));

    ProducerRecord<byte[], byte[]> record =
        new ResultRecordSerializer("results", 1 << 20).serialize(out, null, null);

    assertThat(record.topic()).isEqualTo("results");
    assertThat(record.key()).isEqualTo(utf8("q1"));
    assertThat(new String(record.value(), StandardCharsets.UTF_8))
        .startsWith("{\"id\":\"q1\",\"model\":\"tiny\",\"rankings\":[{\"index\":1");
    assertThat(record.headers().lastHeader("reply-to").value()).isEqualTo(utf8("replies"));
  }

  /** A ranking with {@code return_text} whose passages add up to about {@code textBytes}. */
  private static RerankOutput rankingWithText(int textBytes) {
    RerankOutput out = RerankOutput.ranked("big", "tiny", new float[] {0.1f, 0.9f, 0.5f, 0.3f}, 40);
    out.texts = new String[4];
    for (int i = 0; i < 4; i++) {
      out.texts[i] = "w".repeat(textBytes / 4);
    }
    out.headers = Map.of("reply-to", utf8("replies"));
    return out;
  }

  @Test
  void resultOverTheProducerLimitBecomesItsResponseTooLargeRecord() {
    RerankOutput out = rankingWithText(8000);

    ProducerRecord<byte[], byte[]> record =
        new ResultRecordSerializer("results", 4096).serialize(out, null, null);

    RerankOutput written =
        OutputJson.fromPipelineJson(new String(record.value(), StandardCharsets.UTF_8));
    assertThat(written.id).isEqualTo("big");
    assertThat(written.model).isEqualTo("tiny");
    assertThat(written.errorType).isEqualTo("response_too_large");
    assertThat(written.errorStatus).isEqualTo(413);
    assertThat(written.errorMessage)
        .contains("max.request.size of 4096 bytes")
        .contains("top_n")
        .contains("return_text");
    assertThat(record.key()).isEqualTo(utf8("big"));
    assertThat(record.headers().lastHeader("reply-to").value()).isEqualTo(utf8("replies"));
    assertThat(record.value().length).isLessThan(1024);
  }

  @Test
  void recordSizeCountsKeyValueHeadersAndTheBatchOverhead() {
    RerankOutput out = rankingWithText(8000);
    byte[] value = utf8(OutputJson.toPipelineJson(out));
    List<org.apache.kafka.common.header.Header> headers =
        ResultRecordSerializer.headers(out.headers);
    int size = ResultRecordSerializer.recordSize(utf8("big"), value, headers);
    int payload = 3 + value.length + "reply-to".length() + "replies".length();
    // Record batch v2: a 61-byte batch header and a record header of at most a few dozen bytes.
    assertThat(size).isBetween(payload + 61, payload + 61 + 40);

    // Exactly at the limit is still sent as it is; one byte less and it is an error record.
    ProducerRecord<byte[], byte[]> atLimit =
        new ResultRecordSerializer("results", size).serialize(out, null, null);
    assertThat(atLimit.value()).isEqualTo(value);
    ProducerRecord<byte[], byte[]> overLimit =
        new ResultRecordSerializer("results", size - 1).serialize(out, null, null);
    assertThat(new String(overLimit.value(), StandardCharsets.UTF_8))
        .contains("\"response_too_large\"");
  }

  @Test
  void deadLetterCarriesOriginalBytesHeadersAndWhereItCameFrom() {
    KafkaRequest request =
        new KafkaRequest(
            "reqs", 1, 17, utf8("k"), utf8("[1]"), Map.of("reply-to", utf8("replies")));

    ProducerRecord<byte[], byte[]> record =
        new DeadLetterSerializer("dlq", 1 << 20)
            .serialize(DeadLetter.of(request, "Expected a JSON object"), null, null);

    assertThat(record.key()).isEqualTo(utf8("k"));
    assertThat(record.value()).isEqualTo(utf8("[1]"));
    assertThat(header(record, "reply-to")).isEqualTo("replies");
    assertThat(header(record, DeadLetter.REASON_HEADER)).isEqualTo("Expected a JSON object");
    assertThat(header(record, DeadLetter.TOPIC_HEADER)).isEqualTo("reqs");
    assertThat(header(record, DeadLetter.PARTITION_HEADER)).isEqualTo("1");
    assertThat(header(record, DeadLetter.OFFSET_HEADER)).isEqualTo("17");
  }

  @Test
  void deadLetterOverTheProducerLimitGoesWithoutItsValueAndSaysSo() {
    byte[] value = utf8("x".repeat(5000));
    KafkaRequest request = new KafkaRequest("reqs", 0, 9, utf8("k"), value, null);
    DeadLetter letter = DeadLetter.of(request, "Expected a JSON object");

    ProducerRecord<byte[], byte[]> fits =
        new DeadLetterSerializer("dlq", 1 << 20).serialize(letter, null, null);
    ProducerRecord<byte[], byte[]> tooLarge =
        new DeadLetterSerializer("dlq", 5000).serialize(letter, null, null);

    assertThat(fits.value()).isEqualTo(value);
    assertThat(fits.headers().lastHeader(DeadLetterSerializer.VALUE_OMITTED_HEADER)).isNull();
    assertThat(tooLarge.value()).isNull();
    assertThat(tooLarge.key()).isEqualTo(utf8("k"));
    assertThat(header(tooLarge, DeadLetter.OFFSET_HEADER)).isEqualTo("9");
    assertThat(header(tooLarge, DeadLetterSerializer.VALUE_OMITTED_HEADER))
        .isEqualTo("5000 bytes; with the headers the record exceeds max.request.size of 5000");
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String key) {
    return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(
      classes = {RawRequest.class, RerankOutput.class, KafkaRequest.class, DeadLetter.class})
  void streamTypesArePojosWithoutKryoFields(Class<?> type) {
    TypeInformation<?> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(PojoTypeInfo.class);
    PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
    for (int f = 0; f < pojo.getArity(); f++) {
      assertThat(pojo.getPojoFieldAt(f).getTypeInformation())
          .as(pojo.getPojoFieldAt(f).getField().getName())
          .isNotInstanceOf(GenericTypeInfo.class);
    }
  }

  @Test
  void headersSurviveFlinkSerialisation() throws Exception {
    RerankOutput out = RerankOutput.ranked("q1", "tiny", new float[] {0.2f}, 3);
    out.headers = Map.of("reply-to", utf8("replies"));
    TypeSerializer<RerankOutput> serializer =
        TypeInformation.of(RerankOutput.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer bytes = new DataOutputSerializer(128);
    serializer.serialize(out, bytes);

    RerankOutput copy = serializer.deserialize(new DataInputDeserializer(bytes.getCopyOfBuffer()));

    assertThat(copy).isEqualTo(out);
    assertThat(copy.headers.get("reply-to")).isEqualTo(utf8("replies"));
  }
}
