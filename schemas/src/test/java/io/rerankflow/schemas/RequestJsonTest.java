package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestJsonTest {
  private static final ServedModels MODELS =
      ServedModels.builder().add("tiny", List.of("nvidia/tiny")).build();

  @Test
  void pipelineParserReadsTheWrittenRequestBackUnchanged() {
    RankingRequest request =
        new RankingRequest(
            "edge-1/abc",
            "tiny",
            "which way \"should\" i go?\n",
            List.of("two roads", "ünïcödé \u2028 passage", ""),
            Truncate.END);

    ParseResult parsed =
        RequestParser.forPipeline(MODELS)
            .parse(RequestJson.toPipelineJson(request), new RecordOrigin("fallback", "test"));

    assertThat(parsed).isEqualTo(new ParseResult.Accepted(request));
  }

  @Test
  void extensionFieldsTravelOnlyWhenUsed() {
    RankingRequest plain =
        new RankingRequest("a", "tiny", "q", List.of("p"), Truncate.NONE, ResponseOptions.NIM);
    RankingRequest extended =
        new RankingRequest(
            "b", "tiny", "q", List.of("p", "r"), Truncate.NONE, new ResponseOptions(1, true));

    assertThat(
            new String(RequestJson.toPipelineJson(plain), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("top_n")
        .doesNotContain("return_text");
    ParseResult parsed =
        RequestParser.forPipeline(MODELS)
            .withExtensions(true)
            .parse(RequestJson.toPipelineJson(extended), new RecordOrigin("fallback", "test"));
    assertThat(parsed).isEqualTo(new ParseResult.Accepted(extended));
  }
}
