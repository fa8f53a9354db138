package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {
  private static final String MODEL = "bge-small-en-v1.5";
  private static final ServedModels MODELS =
      ServedModels.builder().add(MODEL, List.of("default")).build();
  private static final RecordOrigin ORIGIN = new RecordOrigin("line-7", "line 7 of requests.jsonl");

  private static final RequestParser PIPELINE = RequestParser.forPipeline(MODELS);
  private static final RequestParser HTTP = RequestParser.forHttp(MODELS);

  private static ParseResult parse(RequestParser parser, String json) {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8), ORIGIN);
  }

  private static RankingRequest accepted(RequestParser parser, String json) {
    ParseResult result = parse(parser, json);
    assertThat(result).isInstanceOf(ParseResult.Accepted.class);
    return ((ParseResult.Accepted) result).request();
  }

  private static ParseResult.Rejected rejected(RequestParser parser, String json) {
    ParseResult result = parse(parser, json);
    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    return (ParseResult.Rejected) result;
  }

  private static ParseResult.Rejected rejected(String json) {
    return rejected(PIPELINE, json);
  }

  /** A body from raw JSON values for each NIM field; a null value leaves that field out. */
  private static String body(String model, String query, String passages, String truncate) {
    StringBuilder json = new StringBuilder("{");
    if (model != null) {
      json.append("\"model\":").append(model).append(',');
    }
    if (query != null) {
      json.append("\"query\":").append(query).append(',');
    }
    if (passages != null) {
      json.append("\"passages\":").append(passages).append(',');
    }
    if (truncate != null) {
      json.append("\"truncate\":").append(truncate).append(',');
    }
    if (json.charAt(json.length() - 1) == ',') {
      json.setLength(json.length() - 1);
    }
    return json.append('}').toString();
  }

  private static final String VALID_MODEL = "\"" + MODEL + "\"";
  private static final String VALID_QUERY = "{\"text\":\"what is flink?\"}";
  private static final String VALID_PASSAGES =
      "[{\"text\":\"a stream processor\"},{\"text\":\"b\"}]";

  private static String withQuery(String query) {
    return body(VALID_MODEL, query, VALID_PASSAGES, null);
  }

  private static String withPassages(String passages) {
    return body(VALID_MODEL, VALID_QUERY, passages, null);
  }

  private static String withTruncate(String truncate) {
    return body(VALID_MODEL, VALID_QUERY, VALID_PASSAGES, truncate);
  }

  private static String withModel(String model) {
    return body(model, VALID_QUERY, VALID_PASSAGES, null);
  }

  private static String passagesJson(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "{\"text\":\"passage " + i + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static void assertFailure(
      ParseResult.Rejected rejected, ErrorKind kind, int status, String... messageParts) {
    assertThat(rejected.failure().kind()).isEqualTo(kind);
    assertThat(rejected.failure().status()).isEqualTo(status);
    if (messageParts.length > 0) {
      assertThat(rejected.failure().message()).contains(messageParts);
    }
  }

  @Test
  void validRequestIsAcceptedWithEveryField() {
    RankingRequest request = accepted(PIPELINE, withTruncate("\"END\""));

    assertThat(request.id()).isEqualTo("line-7");
    assertThat(request.model()).isEqualTo(MODEL);
    assertThat(request.query()).isEqualTo("what is flink?");
    assertThat(request.passages()).containsExactly("a stream processor", "b");
    assertThat(request.truncate()).isEqualTo(Truncate.END);
  }

  @Test
  void nimPublishedExampleRequestParses() {
    String nimModel = "nvidia/nv-rerankqa-mistral-4b-v3";
    RequestParser parser =
        RequestParser.forHttp(ServedModels.builder().add(nimModel, List.of()).build());
    String json =
        "{\"model\":\"nvidia/nv-rerankqa-mistral-4b-v3\",\"query\":{\"text\":\"which way should i"
            + " go?\"},\"passages\":[{\"text\":\"two roads diverged in a yellow wood, and sorry i"
            + " could not travel both\"},{\"text\":\"then took the other, as just as fair, and"
            + " having perhaps the better claim because it was grassy and wanted"
            + " wear\"},{\"text\":\"and both that morning equally lay in leaves no step had"
            + " trodden black\"},{\"text\":\"i shall be telling this with a sigh somewhere ages and"
            + " ages hence: two roads diverged in a wood, and i, i took the one less traveled by,"
            + " and that has made all the difference\"}],\"truncate\":\"END\"}";

    RankingRequest request = accepted(parser, json);

    assertThat(request.model()).isEqualTo(nimModel);
    assertThat(request.query()).isEqualTo("which way should i go?");
    assertThat(request.passages())
        .containsExactly(
            "two roads diverged in a yellow wood, and sorry i could not travel both",
            "then took the other, as just as fair, and having perhaps the better claim because it"
                + " was grassy and wanted wear",
            "and both that morning equally lay in leaves no step had trodden black",
            "i shall be telling this with a sigh somewhere ages and ages hence: two roads diverged"
                + " in a wood, and i, i took the one less traveled by, and that has made all the"
                + " difference");
    assertThat(request.truncate()).isEqualTo(Truncate.END);
  }

  @Test
  void unicodeTextSurvivesParsing() {
    String json =
        body(
            VALID_MODEL,
            "{\"text\":\"Straße 😀\"}",
            "[{\"text\":\"日本語 \\u00e9t\\u00e9 \\ud83d\\ude00\"}]",
            null);

    RankingRequest request = accepted(PIPELINE, json);

    assertThat(request.query()).isEqualTo("Straße 😀");
    assertThat(request.passages()).containsExactly("日本語 été 😀");
  }

  @Nested
  class Query {
    @Test
    void missingQueryIsRejected() {
      assertFailure(rejected(withQuery(null)), ErrorKind.INVALID_REQUEST, 400, "query", "missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"what is flink?\"", "[]", "42", "true"})
    void queryThatIsNotAnObjectIsRejected(String query) {
      assertFailure(
          rejected(withQuery(query)), ErrorKind.INVALID_REQUEST, 400, "query", "{\"text\"");
    }

    @Test
    void missingQueryTextIsRejected() {
      assertFailure(
          rejected(withQuery("{}")), ErrorKind.INVALID_REQUEST, 400, "query.text", "string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "null", "[\"a\"]", "{\"text\":\"a\"}", "false"})
    void queryTextThatIsNotAStringIsRejected(String text) {
      assertFailure(
          rejected(withQuery("{\"text\":" + text + "}")),
          ErrorKind.INVALID_REQUEST,
          400,
          "query.text: expected a string");
    }

    @Test
    void emptyQueryTextIsRejected() {
      assertFailure(
          rejected(withQuery("{\"text\":\"\"}")),
          ErrorKind.INVALID_REQUEST,
          400,
          "query.text: must not be empty");
    }
  }

  @Nested
  class Passages {
    @Test
    void imagePassagesToATextModelAreRejectedSayingSo() {
      String image = "{\"image\":\"data:image/png;base64,iVBORw0KGgo=\"}";
      String json = body("\"default\"", VALID_QUERY, "[" + image + ",{\"text\":\"b\"}]", null);

      for (RequestParser parser : List.of(HTTP, PIPELINE)) {
        ParseResult.Rejected rejected = rejected(parser, json);

        assertThat(rejected.failure().message())
            .isEqualTo(
                "passages[0]: image passages need a multimodal reranker; " + MODEL + " takes text");
        assertFailure(rejected, ErrorKind.INVALID_REQUEST, 400);
      }
      assertThat(rejected(withPassages("[{\"text\":\"a\"}," + image + "]")).failure().message())
          .startsWith("passages[1]: image passages need a multimodal reranker");
    }

    @Test
    void missingPassagesIsRejected() {
      assertFailure(
          rejected(withPassages(null)), ErrorKind.INVALID_REQUEST, 400, "passages: missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"text\":\"a\"}", "\"a\"", "3", "null"})
    void passagesThatIsNotAnArrayIsRejected(String passages) {
      ParseResult.Rejected rejected = rejected(withPassages(passages));

      assertThat(rejected.failure().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
      assertThat(rejected.failure().status()).isEqualTo(400);
      assertThat(rejected.failure().message()).startsWith("passages: ");
    }

    @Test
    void passagesThatIsAnObjectSaysAnArrayIsExpected() {
      assertFailure(
          rejected(withPassages("{\"text\":\"a\"}")),
          ErrorKind.INVALID_REQUEST,
          400,
          "passages: expected an array");
    }

    @Test
    void emptyPassagesIsRejected() {
      assertFailure(
          rejected(withPassages("[]")),
          ErrorKind.INVALID_REQUEST,
          400,
          "passages: must contain at least 1 passage");
    }

    @Test
    void morePassagesThanTheNimLimitAreRejectedNamingTheLimit() {
      ParseResult.Rejected rejected = rejected(withPassages(passagesJson(513)));

      assertFailure(rejected, ErrorKind.TOO_MANY_PASSAGES, 400, "513", "512");
      assertThat(RequestParser.MAX_PASSAGES).isEqualTo(512);
    }

    @Test
    void exactlyTheNimLimitOfPassagesIsAccepted() {
      RankingRequest request = accepted(PIPELINE, withPassages(passagesJson(512)));

      assertThat(request.passages()).hasSize(512);
      assertThat(request.passages().get(0)).isEqualTo("passage 0");
      assertThat(request.passages().get(511)).isEqualTo("passage 511");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"text\":5}",
          "\"plain string\"",
          "{}",
          "null",
          "{\"text\":null}",
          "{\"content\":\"a\"}",
          "[\"a\"]"
        })
    void passageWithoutStringTextIsRejectedNamingItsIndex(String badPassage) {
      String passages = "[{\"text\":\"a\"},{\"text\":\"b\"}," + badPassage + ",{\"text\":\"d\"}]";

      assertFailure(
          rejected(withPassages(passages)), ErrorKind.INVALID_REQUEST, 400, "passages[2]");
    }

    @Test
    void firstBadPassageIsTheOneNamed() {
      String passages = "[{\"text\":\"a\"},{\"text\":1},{\"text\":2}]";

      ParseResult.Rejected rejected = rejected(withPassages(passages));

      assertThat(rejected.failure().message())
          .contains("passages[1]")
          .doesNotContain("passages[2]");
    }

    @Test
    void emptyPassageTextIsAccepted() {
      RankingRequest request = accepted(PIPELINE, withPassages("[{\"text\":\"\"}]"));

      assertThat(request.passages()).containsExactly("");
    }

    @Test
    void passageOrderIsKept() {
      RankingRequest request =
          accepted(PIPELINE, withPassages("[{\"text\":\"z\"},{\"text\":\"a\"},{\"text\":\"m\"}]"));

      assertThat(request.passages()).containsExactly("z", "a", "m");
    }
  }

  @Nested
  class TruncateField {
    @Test
    void missingTruncateMeansNone() {
      assertThat(accepted(PIPELINE, withTruncate(null)).truncate()).isEqualTo(Truncate.NONE);
    }

    @Test
    void nullTruncateMeansNone() {
      assertThat(accepted(PIPELINE, withTruncate("null")).truncate()).isEqualTo(Truncate.NONE);
    }

    @Test
    void endTruncateIsRead() {
      assertThat(accepted(PIPELINE, withTruncate("\"END\"")).truncate()).isEqualTo(Truncate.END);
    }

    @Test
    void noneTruncateIsRead() {
      assertThat(accepted(PIPELINE, withTruncate("\"NONE\"")).truncate()).isEqualTo(Truncate.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"START\"", "\"end\"", "\"none\"", "\"\"", "3", "true", "[\"END\"]"})
    void truncateOutsideNoneAndEndIsRejectedListingTheAllowedValues(String truncate) {
      assertFailure(
          rejected(withTruncate(truncate)),
          ErrorKind.INVALID_REQUEST,
          400,
          "truncate",
          "NONE, END");
    }

    @Test
    void rejectedTruncateMessageQuotesTheValueGiven() {
      assertThat(rejected(withTruncate("\"START\"")).failure().message()).contains("\"START\"");
    }
  }

  @Nested
  class UnknownFields {
    @Test
    void unknownTopLevelFieldIsRejectedInNimForm() {
      String json = withTruncate("\"END\"").replace("}]", "}],\"top_k\":3");
      assertThat(json).contains("],\"top_k\":3,\"truncate\"");

      ParseResult.Rejected rejected = rejected(HTTP, json);

      assertThat(rejected.failure().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
      assertThat(rejected.failure().status()).isEqualTo(400);
      assertThat(rejected.failure().message())
          .isEqualTo("top_k: unknown field, expected one of model, query, passages, truncate");
    }

    @Test
    void unknownTopLevelFieldIsRejectedByThePipelineParserToo() {
      String json = "{\"top_k\":3," + withTruncate(null).substring(1);

      ParseResult.Rejected rejected = rejected(PIPELINE, json);

      assertThat(rejected.failure().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
      assertThat(rejected.failure().message()).startsWith("top_k: unknown field");
    }

    @Test
    void unknownFieldInsideQueryOrPassageIsIgnored() {
      String json =
          body(
              VALID_MODEL,
              "{\"text\":\"q\",\"lang\":\"en\"}",
              "[{\"text\":\"p\",\"title\":\"t\"}]",
              null);

      RankingRequest request = accepted(HTTP, json);

      assertThat(request.query()).isEqualTo("q");
      assertThat(request.passages()).containsExactly("p");
    }
  }

  @Nested
  class Id {
    private String withId(String id) {
      return "{\"id\":" + id + "," + withTruncate(null).substring(1);
    }

    @Test
    void pipelineParserUsesTheRequestsOwnId() {
      assertThat(accepted(PIPELINE, withId("\"req-42\"")).id()).isEqualTo("req-42");
    }

    @Test
    void pipelineParserFallsBackToTheOriginIdWhenThereIsNoId() {
      assertThat(accepted(PIPELINE, withTruncate(null)).id()).isEqualTo("line-7");
    }

    @Test
    void httpParserRejectsIdAsAnUnknownField() {
      ParseResult.Rejected rejected = rejected(HTTP, withId("\"req-42\""));

      assertThat(rejected.failure().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
      assertThat(rejected.failure().message())
          .isEqualTo("id: unknown field, expected one of model, query, passages, truncate");
      assertThat(rejected.id()).isEqualTo("line-7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "\"\"", "{\"a\":1}", "[\"req\"]", "true"})
    void unusableIdIsRejectedUnderTheFallbackId(String id) {
      ParseResult.Rejected rejected = rejected(PIPELINE, withId(id));

      assertFailure(rejected, ErrorKind.INVALID_REQUEST, 400, "id: expected a non-empty string");
      assertThat(rejected.id()).isEqualTo("line-7");
    }

    @Test
    void rejectionOfARequestWithAnIdCarriesThatId() {
      String json = "{\"id\":\"req-42\"," + withQuery("{\"text\":\"\"}").substring(1);

      ParseResult.Rejected rejected = rejected(PIPELINE, json);

      assertThat(rejected.id()).isEqualTo("req-42");
      assertThat(rejected.toOutput().id).isEqualTo("req-42");
    }

    @Test
    void rejectionOfARequestWithoutAnIdCarriesTheFallbackId() {
      ParseResult.Rejected rejected = rejected(PIPELINE, withQuery("{\"text\":\"\"}"));

      assertThat(rejected.id()).isEqualTo("line-7");
      assertThat(rejected.toOutput().id).isEqualTo("line-7");
    }

    @Test
    void unknownFieldRejectionCarriesTheRequestsOwnId() {
      String json = "{\"id\":\"req-42\",\"top_k\":1," + withTruncate(null).substring(1);

      assertThat(rejected(PIPELINE, json).id()).isEqualTo("req-42");
    }
  }

  @Nested
  class Model {
    @Test
    void servedNameResolvesToItself() {
      assertThat(accepted(HTTP, withModel(VALID_MODEL)).model()).isEqualTo(MODEL);
    }

    @Test
    void aliasResolvesToTheCanonicalName() {
      assertThat(accepted(HTTP, withModel("\"default\"")).model()).isEqualTo(MODEL);
    }

    @Test
    void unknownModelIsNotFoundNamingTheServedModels() {
      ParseResult.Rejected rejected = rejected(HTTP, withModel("\"gpt-5\""));

      assertFailure(rejected, ErrorKind.MODEL_NOT_FOUND, 404, "gpt-5", MODEL, "default");
      assertThat(rejected.model()).isEqualTo("gpt-5");
    }

    @Test
    void modelNameIsCaseSensitive() {
      assertFailure(
          rejected(HTTP, withModel("\"BGE-small-en-v1.5\"")), ErrorKind.MODEL_NOT_FOUND, 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "null"})
    void missingOrNullModelMeansTheOnlyServedModel(String model) {
      String json = withModel("missing".equals(model) ? null : model);

      assertThat(accepted(HTTP, json).model()).isEqualTo(MODEL);
      assertThat(accepted(PIPELINE, json).model()).isEqualTo(MODEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "null"})
    void missingOrNullModelWithSeveralServedIsRejectedNamingThem(String model) {
      ServedModels two =
          ServedModels.builder().add(MODEL, List.of("default")).add("minilm", List.of()).build();
      String json = withModel("missing".equals(model) ? null : model);

      for (RequestParser parser :
          List.of(RequestParser.forHttp(two), RequestParser.forPipeline(two))) {
        ParseResult.Rejected rejected = rejected(parser, json);

        assertThat(rejected.failure().message())
            .isEqualTo(
                "model: required when several models are served; expected one of "
                    + MODEL
                    + " (aliases: default), minilm");
        assertFailure(rejected, ErrorKind.INVALID_REQUEST, 400);
        assertThat(rejected.model()).isNull();
      }
    }

    @Test
    void afterADefaultedModelLaterFailuresNameTheServedModel() {
      ParseResult.Rejected rejected =
          rejected(HTTP, body(null, "{\"text\":\"\"}", VALID_PASSAGES, null));

      assertThat(rejected.model()).isEqualTo(MODEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "[\"default\"]", "{\"name\":\"default\"}", "true"})
    void modelThatIsNotAStringIsRejected(String model) {
      ParseResult.Rejected rejected = rejected(HTTP, withModel(model));

      assertFailure(rejected, ErrorKind.INVALID_REQUEST, 400, "model: expected a string");
      assertThat(rejected.model()).isNull();
    }

    @Test
    void laterValidationFailureKeepsTheModelAsWritten() {
      String json = body("\"default\"", "{\"text\":\"\"}", VALID_PASSAGES, null);

      ParseResult.Rejected rejected = rejected(HTTP, json);

      assertThat(rejected.model()).isEqualTo("default");
      assertThat(rejected.toOutput().model).isEqualTo("default");
    }
  }

  @Nested
  class MalformedInput {
    @Test
    void malformedJsonNamesTheOriginAndAColumn() {
      ParseResult.Rejected rejected = rejected("{\"model\": \"x\", \"query\": {\"text\": }");

      assertFailure(rejected, ErrorKind.MALFORMED_JSON, 400, "line 7 of requests.jsonl", "column ");
      assertThat(rejected.failure().message()).matches("(?s).*column \\d+.*");
      assertThat(rejected.id()).isEqualTo("line-7");
      assertThat(rejected.model()).isNull();
    }

    @Test
    void malformedJsonMessageHasNoJacksonSourceDump() {
      ParseResult.Rejected rejected = rejected("{\"model\": 'x'}");

      assertThat(rejected.failure().message()).doesNotContain("\n", "[Source", "line: ");
    }

    @Test
    void truncatedJsonIsMalformed() {
      assertFailure(
          rejected("{\"model\":\"" + MODEL + "\",\"query\":{"),
          ErrorKind.MALFORMED_JSON,
          400,
          "line 7 of requests.jsonl");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"[]", "[{\"model\":\"default\"}]", "42", "\"a string\"", "null", "true"})
    void jsonThatIsNotAnObjectIsRejected(String json) {
      ParseResult.Rejected rejected = rejected(json);

      assertFailure(rejected, ErrorKind.MALFORMED_JSON, 400, "line 7 of requests.jsonl");
      assertThat(rejected.id()).isEqualTo("line-7");
    }

    @Test
    void arrayBodySaysAnObjectIsExpected() {
      assertThat(rejected("[]").failure().message())
          .contains("Expected a JSON object")
          .contains("array");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void emptyInputIsRejected(String json) {
      ParseResult.Rejected rejected = rejected(json);

      assertFailure(rejected, ErrorKind.MALFORMED_JSON, 400, "line 7 of requests.jsonl");
      assertThat(rejected.id()).isEqualTo("line-7");
    }

    @Test
    void nullPayloadIsRejectedNotThrown() {
      ParseResult result = PIPELINE.parse(null, ORIGIN);

      assertThat(result).isInstanceOf(ParseResult.Rejected.class);
      assertThat(((ParseResult.Rejected) result).failure().kind())
          .isEqualTo(ErrorKind.MALFORMED_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {" {}", " x", " garbage", "]", " 42", "\"more\""})
    void trailingContentAfterTheObjectIsRejected(String trailer) {
      String json = "{\"id\":\"req-42\"," + withTruncate(null).substring(1) + trailer;

      ParseResult.Rejected rejected = rejected(json);

      assertFailure(rejected, ErrorKind.MALFORMED_JSON, 400, "line 7 of requests.jsonl");
      assertThat(rejected.id()).isEqualTo("line-7");
    }

    @Test
    void trailingWhitespaceAfterTheObjectIsAccepted() {
      assertThat(accepted(PIPELINE, withTruncate(null) + " \r\n").passages()).hasSize(2);
    }

    @Test
    void invalidUtf8IsMalformed() {
      byte[] head =
          ("{\"model\":\"" + MODEL + "\",\"query\":{\"text\":\"").getBytes(StandardCharsets.UTF_8);
      byte[] tail = "\"}}".getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[head.length + 2 + tail.length];
      System.arraycopy(head, 0, body, 0, head.length);
      body[head.length] = (byte) 0xC3;
      body[head.length + 1] = (byte) 0x28;
      System.arraycopy(tail, 0, body, head.length + 2, tail.length);

      ParseResult result = PIPELINE.parse(body, ORIGIN);

      assertThat(result).isInstanceOf(ParseResult.Rejected.class);
      assertThat(((ParseResult.Rejected) result).failure().kind())
          .isEqualTo(ErrorKind.MALFORMED_JSON);
    }

    @Test
    void rejectedRecordBecomesAnErrorOutputWithTheKindsStatus() {
      RerankOutput out = rejected("{").toOutput();

      assertThat(out.isError()).isTrue();
      assertThat(out.id).isEqualTo("line-7");
      assertThat(out.errorType).isEqualTo("malformed_json");
      assertThat(out.errorStatus).isEqualTo(400);
    }
  }

  @Test
  void parserIsReusableAcrossRequests() {
    RequestParser parser = RequestParser.forPipeline(MODELS);

    assertThat(parser.parse("{".getBytes(StandardCharsets.UTF_8), ORIGIN))
        .isInstanceOf(ParseResult.Rejected.class);
    assertThat(parser.parse(withTruncate(null).getBytes(StandardCharsets.UTF_8), ORIGIN))
        .isInstanceOf(ParseResult.Accepted.class);
    assertThat(parser.models()).isSameAs(MODELS);
  }
}
