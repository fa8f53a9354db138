package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class OutputAvroTest {

  @Test
  void rankingMapsToSortedRankingsAndUsageWithNullError() {
    RerankOutput out = RerankOutput.ranked("q1", "tiny", new float[] {0.1f, 0.9f, 0.5f}, 42);

    GenericRecord record = OutputAvro.toRecord(out);

    assertThat(GenericData.get().validate(OutputAvro.SCHEMA, record)).isTrue();
    assertThat(record.get("error")).isNull();
    assertThat(record.get("prompt_tokens")).isEqualTo(42);
    List<?> rankings = (List<?>) record.get("rankings");
    assertThat(rankings).hasSize(3);
    assertThat(((GenericRecord) rankings.get(0)).get("index")).isEqualTo(1);
    assertThat(((GenericRecord) rankings.get(0)).get("logit")).isEqualTo(0.9f);
    assertThat(OutputAvro.fromRecord(record)).isEqualTo(out);
  }

  @Test
  void returnedTextsTravelWithTheirRankings() {
    RerankOutput out = RerankOutput.ranked("q2", "tiny", new float[] {0.3f, 0.8f}, 7);
    out.texts = new String[] {"second passage", "first passage"};

    RerankOutput back = OutputAvro.fromRecord(OutputAvro.toRecord(out));

    assertThat(back.texts).containsExactly("second passage", "first passage");
    assertThat(back).isEqualTo(out);
  }

  @Test
  void errorRecordHasNullRankingsAndUsage() {
    RerankOutput out =
        RerankOutput.failed(
            "bad", null, new RerankFailure(ErrorKind.MODEL_NOT_FOUND, "Model 'x' is not served"));

    GenericRecord record = OutputAvro.toRecord(out);

    assertThat(GenericData.get().validate(OutputAvro.SCHEMA, record)).isTrue();
    assertThat(record.get("rankings")).isNull();
    assertThat(record.get("prompt_tokens")).isNull();
    assertThat(record.get("model")).isNull();
    GenericRecord error = (GenericRecord) record.get("error");
    assertThat(error.get("type")).isEqualTo("model_not_found");
    assertThat(error.get("status")).isEqualTo(404);
    assertThat(OutputAvro.fromRecord(record)).isEqualTo(out);
  }
}
