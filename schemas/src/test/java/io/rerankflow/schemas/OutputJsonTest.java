package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OutputJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final float[] LOGITS_BY_PASSAGE = {0.25f, -1.5f, 3.75f, 0.25f, -0.125f};

  private static RerankOutput ranking() {
    return RerankOutput.ranked("req-1", "bge-small-en-v1.5", LOGITS_BY_PASSAGE, 87);
  }

  private static RerankOutput error(String model, ErrorKind kind, String message) {
    return RerankOutput.failed("line-3", model, new RerankFailure(kind, message));
  }

  private static JsonNode read(String json) throws Exception {
    return MAPPER.readTree(json);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void pipelineRankingHasExactlyIdModelRankingsAndUsage() throws Exception {
    JsonNode root = read(OutputJson.toPipelineJson(ranking()));

    assertThat(fieldNames(root)).containsExactly("id", "model", "rankings", "usage");
    assertThat(root.get("id").textValue()).isEqualTo("req-1");
    assertThat(root.get("model").textValue()).isEqualTo("bge-small-en-v1.5");
    assertThat(fieldNames(root.get("usage"))).containsExactly("prompt_tokens", "total_tokens");
    assertThat(root.get("usage").get("prompt_tokens").intValue()).isEqualTo(87);
    assertThat(root.get("usage").get("total_tokens").intValue()).isEqualTo(87);
    for (JsonNode entry : root.get("rankings")) {
      assertThat(fieldNames(entry)).containsExactly("index", "logit");
      assertThat(entry.get("index").isInt()).isTrue();
      assertThat(entry.get("logit").isNumber()).isTrue();
    }
  }

  @Test
  void pipelineRankingsAreSortedAndContainEveryPassageWithItsOwnLogit() throws Exception {
    JsonNode rankings = read(OutputJson.toPipelineJson(ranking())).get("rankings");

    List<Integer> indices = new ArrayList<>();
    for (JsonNode entry : rankings) {
      int index = entry.get("index").intValue();
      indices.add(index);
      assertThat(entry.get("logit").floatValue()).isEqualTo(LOGITS_BY_PASSAGE[index]);
    }
    // 0 and 3 tie at 0.25: the lower index comes first.
    assertThat(indices).containsExactly(2, 0, 3, 4, 1);
  }

  @Test
  void nimResponseHasOnlyRankingsAndUsage() throws Exception {
    JsonNode root = read(OutputJson.toNimResponseJson(ranking()));

    assertThat(fieldNames(root)).containsExactly("rankings", "usage");
    assertThat(root.get("rankings")).hasSize(LOGITS_BY_PASSAGE.length);
    assertThat(root.get("rankings").get(0).get("index").intValue()).isEqualTo(2);
    assertThat(root.get("usage").get("total_tokens").intValue()).isEqualTo(87);
  }

  @Test
  void nimResponseRankingsMatchThePipelineRankings() throws Exception {
    RerankOutput out = ranking();

    assertThat(read(OutputJson.toNimResponseJson(out)).get("rankings"))
        .isEqualTo(read(OutputJson.toPipelineJson(out)).get("rankings"));
  }

  @Test
  void errorRecordHasNoNimResponseBody() {
    assertThatThrownBy(
            () -> OutputJson.toNimResponseJson(error(null, ErrorKind.TIMEOUT, "too slow")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line-3");
  }

  @Test
  void errorRecordHasIdModelAndTypeMessageStatus() throws Exception {
    RerankOutput out =
        error("bge-small-en-v1.5", ErrorKind.INPUT_TOO_LONG, "passage 2 has 600 tokens");

    JsonNode root = read(OutputJson.toPipelineJson(out));

    assertThat(fieldNames(root)).containsExactly("id", "model", "error");
    assertThat(root.get("id").textValue()).isEqualTo("line-3");
    assertThat(root.get("model").textValue()).isEqualTo("bge-small-en-v1.5");
    JsonNode error = root.get("error");
    assertThat(fieldNames(error)).containsExactly("type", "message", "status");
    assertThat(error.get("type").textValue()).isEqualTo("input_too_long");
    assertThat(error.get("message").textValue()).isEqualTo("passage 2 has 600 tokens");
    assertThat(error.get("status").isInt()).isTrue();
    assertThat(error.get("status").intValue()).isEqualTo(422);
  }

  @Test
  void errorRecordWithoutModelOmitsTheModelField() throws Exception {
    JsonNode root = read(OutputJson.toPipelineJson(error(null, ErrorKind.MALFORMED_JSON, "bad")));

    assertThat(fieldNames(root)).containsExactly("id", "error");
  }

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void errorRecordStatusComesFromTheErrorKind(ErrorKind kind) throws Exception {
    JsonNode error = read(OutputJson.toPipelineJson(error("m", kind, "why"))).get("error");

    assertThat(error.get("type").textValue()).isEqualTo(kind.type());
    assertThat(error.get("status").intValue()).isEqualTo(kind.httpStatus());
  }

  @Test
  void specialCharactersInMessagesAreEscaped() throws Exception {
    String message = "bad \"quote\"\nnext line\ttab \\ backslash \u0001 </script> Straße 😀";
    RerankOutput out = error("m", ErrorKind.INVALID_REQUEST, message);

    String json = OutputJson.toPipelineJson(out);

    assertThat(json).doesNotContain("\n", "\t", "\u0001");
    assertThat(read(json).get("error").get("message").textValue()).isEqualTo(message);
  }

  @Test
  void specialCharactersInIdAndModelAreEscaped() throws Exception {
    RerankOutput out = RerankOutput.ranked("a\"b\nc", "org/model \"x\"", new float[] {1.0f}, 3);

    JsonNode root = read(OutputJson.toPipelineJson(out));

    assertThat(root.get("id").textValue()).isEqualTo("a\"b\nc");
    assertThat(root.get("model").textValue()).isEqualTo("org/model \"x\"");
  }

  @Test
  void pipelineLineIsASingleLine() {
    String json =
        OutputJson.toPipelineJson(error("m", ErrorKind.BACKEND_FAILURE, "line one\nline two"));

    assertThat(json).doesNotContain("\n", "\r");
  }

  @Test
  void rankingRoundTripsThroughPipelineJson() {
    RerankOutput out = ranking();

    assertThat(OutputJson.fromPipelineJson(OutputJson.toPipelineJson(out))).isEqualTo(out);
  }

  @Test
  void rankingWithNoPassagesRoundTrips() {
    RerankOutput out = RerankOutput.ranked("r", "m", new float[0], 0);

    assertThat(OutputJson.fromPipelineJson(OutputJson.toPipelineJson(out))).isEqualTo(out);
  }

  @Test
  void arbitraryFloatLogitsRoundTripExactly() {
    Random random = new Random(7);
    float[] logits = new float[512];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = Float.intBitsToFloat(random.nextInt());
      if (Float.isNaN(logits[i]) || Float.isInfinite(logits[i])) {
        logits[i] = random.nextFloat() * 40 - 20;
      }
    }
    RerankOutput out = RerankOutput.ranked("r", "m", logits, 1234);

    RerankOutput back = OutputJson.fromPipelineJson(OutputJson.toPipelineJson(out));

    assertThat(back.logits).containsExactly(out.logits);
    assertThat(back.indices).containsExactly(out.indices);
  }

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void errorRecordRoundTripsThroughPipelineJson(ErrorKind kind) {
    RerankOutput out = error("bge-small-en-v1.5", kind, "what \"went\"\nwrong");

    RerankOutput back = OutputJson.fromPipelineJson(OutputJson.toPipelineJson(out));

    assertThat(back).isEqualTo(out);
    assertThat(back.isError()).isTrue();
    assertThat(back.failure()).isEqualTo(new RerankFailure(kind, "what \"went\"\nwrong"));
  }

  @Test
  void errorRecordWithoutModelRoundTrips() {
    RerankOutput out = error(null, ErrorKind.MALFORMED_JSON, "Malformed JSON (line 3)");

    RerankOutput back = OutputJson.fromPipelineJson(OutputJson.toPipelineJson(out));

    assertThat(back).isEqualTo(out);
    assertThat(back.model).isNull();
  }

  @Test
  void rankingIsNotAnErrorRecord() {
    RerankOutput out = ranking();

    assertThat(out.isError()).isFalse();
    assertThat(out.errorStatus).isZero();
    assertThatThrownBy(out::failure).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void notAPipelineLineIsReportedWithTheInput() {
    assertThatThrownBy(() -> OutputJson.fromPipelineJson("{not json"))
        .hasMessageContaining("{not json");
  }
}
