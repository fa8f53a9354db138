package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
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

  @Test
  void invalidUtf8InsideAValidLookingRequestIsMalformedJsonForBothChecks() {
    byte[] prefix =
        "{\"model\":\"tiny\",\"query\":{\"text\":\"caf".getBytes(StandardCharsets.UTF_8);
    byte[] suffix = "\"},\"passages\":[{\"text\":\"b\"}]}".getBytes(StandardCharsets.UTF_8);
    // A Latin-1 'é' (0xe9) where UTF-8 needs two bytes: text that decoders silently replace.
    byte[] body = new byte[prefix.length + 1 + suffix.length];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    body[prefix.length] = (byte) 0xe9;
    System.arraycopy(suffix, 0, body, prefix.length + 1, suffix.length);

    ParseResult parsed = PARSER.parse(body, ORIGIN);

    assertThat(parsed).isInstanceOf(ParseResult.Rejected.class);
    RerankFailure failure = ((ParseResult.Rejected) parsed).failure();
    assertThat(failure.kind()).isEqualTo(ErrorKind.MALFORMED_JSON);
    assertThat(failure.message())
        .isEqualTo(
            "Malformed JSON (topic t, offset 7): invalid UTF-8 at byte "
                + prefix.length
                + " (JSON text must be UTF-8)");
    assertThat(RequestParser.notAJsonObject(body, ORIGIN)).contains(failure.message());
  }
}
