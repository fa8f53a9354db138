package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code top_n} and {@code return_text}: accepted only with extensions, validated when they are.
 */
class RequestParserExtensionsTest {
  private static final ServedModels MODELS =
      ServedModels.builder().add("tiny", List.of("default")).build();
  private static final RecordOrigin ORIGIN = new RecordOrigin("7", "line 7 of requests.jsonl");
  private static final String BODY =
      "{\"model\":\"tiny\",\"query\":{\"text\":\"q\"},"
          + "\"passages\":[{\"text\":\"a\"},{\"text\":\"b\"},{\"text\":\"c\"}]";

  @Test
  void strictParserRejectsTopNAsUnknownFieldWithTheNimMessage() {
    ParseResult result =
        RequestParser.forPipeline(MODELS).parse(bytes(BODY + ",\"top_n\":2}"), ORIGIN);

    assertThat(rejection(result).failure())
        .isEqualTo(
            new RerankFailure(
                ErrorKind.INVALID_REQUEST,
                "top_n: unknown field, expected one of model, query, passages, truncate"));
  }

  @Test
  void strictParserRejectsReturnTextAsUnknownField() {
    ParseResult result =
        RequestParser.forHttp(MODELS)
            .withExtensions(false)
            .parse(bytes(BODY + ",\"return_text\":true}"), ORIGIN);

    assertThat(rejection(result).failure().message())
        .isEqualTo("return_text: unknown field, expected one of model, query, passages, truncate");
  }

  @Test
  void extendedParserCarriesTopNAndReturnTextIntoTheRequest() {
    ParseResult result =
        RequestParser.forPipeline(MODELS)
            .withExtensions(true)
            .parse(bytes(BODY + ",\"top_n\":2,\"return_text\":true}"), ORIGIN);

    RankingRequest request = ((ParseResult.Accepted) result).request();
    assertThat(request.response()).isEqualTo(new ResponseOptions(2, true));
    assertThat(request.model()).isEqualTo("tiny");
  }

  @Test
  void extendedParserWithoutTheFieldsAnswersTheNimWay() {
    ParseResult result =
        RequestParser.forPipeline(MODELS).withExtensions(true).parse(bytes(BODY + "}"), ORIGIN);

    assertThat(((ParseResult.Accepted) result).request().response()).isEqualTo(ResponseOptions.NIM);
  }

  @Test
  void extendedParserStillNamesEveryFieldForAnUnknownOne() {
    ParseResult result =
        RequestParser.forPipeline(MODELS)
            .withExtensions(true)
            .parse(bytes(BODY + ",\"top_k\":2}"), ORIGIN);

    assertThat(rejection(result).failure().message())
        .isEqualTo(
            "top_k: unknown field, expected one of model, query, passages, truncate, top_n,"
                + " return_text");
  }

  @Test
  void topNMustBeAPositiveInteger() {
    RequestParser parser = RequestParser.forPipeline(MODELS).withExtensions(true);
    for (String bad : List.of("0", "-1", "1.5", "\"2\"", "true", "4294967296")) {
      ParseResult result = parser.parse(bytes(BODY + ",\"top_n\":" + bad + "}"), ORIGIN);
      assertThat(rejection(result).failure())
          .as(bad)
          .isEqualTo(
              new RerankFailure(
                  ErrorKind.INVALID_REQUEST, "top_n: expected a positive integer, got " + bad));
    }
  }

  @Test
  void returnTextMustBeABoolean() {
    ParseResult result =
        RequestParser.forPipeline(MODELS)
            .withExtensions(true)
            .parse(bytes(BODY + ",\"return_text\":\"yes\"}"), ORIGIN);

    assertThat(rejection(result).failure())
        .isEqualTo(
            new RerankFailure(
                ErrorKind.INVALID_REQUEST, "return_text: expected true or false, got \"yes\""));
  }

  private static ParseResult.Rejected rejection(ParseResult result) {
    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    return (ParseResult.Rejected) result;
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
