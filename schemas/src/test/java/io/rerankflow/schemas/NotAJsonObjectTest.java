package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NotAJsonObjectTest {
  private static final RequestParser PARSER =
      RequestParser.forPipeline(ServedModels.builder().add("tiny", java.util.List.of()).build());
  private static final RecordOrigin ORIGIN = new RecordOrigin("t-0-7", "topic t, offset 7");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"id\":\"m\",",
        "[1,2,3]",
        "hello",
        "",
        "\"a string\"",
        "42",
        "{} {}",
        "{\"model\":\"tiny\"}",
        "{\"model\":\"nope\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\"b\"}]}",
        "{\"model\":\"tiny\",\"query\":{\"text\":\"a\"},\"passages\":[{\"text\":\"b\"}]}"
      })
  void deadLetterCheckAgreesWithTheParsersMalformedJsonVerdict(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

    Optional<String> reason = RequestParser.notAJsonObject(bytes, ORIGIN);
    ParseResult parsed = PARSER.parse(bytes, ORIGIN);

    boolean malformed =
        parsed instanceof ParseResult.Rejected rejected
            && rejected.failure().kind() == ErrorKind.MALFORMED_JSON;
    assertThat(reason.isPresent()).as(body).isEqualTo(malformed);
    reason.ifPresent(
        r ->
            assertThat(r)
                .isEqualTo(((ParseResult.Rejected) parsed).failure().message())
                .contains("topic t, offset 7"));
  }
}
