package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Shaping a full ranking for {@code top_n} and {@code return_text}. */
class ResponseOptionsTest {
  private static final List<String> PASSAGES = List.of("p0", "p1", "p2", "p3");
  private static final float[] LOGITS = {0.1f, 0.9f, -0.5f, 0.4f};

  @Test
  void topNKeepsTheBestRankingsAndUsageCountsEveryPair() {
    RerankOutput out =
        new ResponseOptions(2, false).shape(RerankOutput.ranked("r", "m", LOGITS, 40), PASSAGES);

    assertThat(out.indices).containsExactly(1, 3);
    assertThat(out.logits).containsExactly(0.9f, 0.4f);
    assertThat(out.texts).isNull();
    assertThat(out.promptTokens).isEqualTo(40);
    assertThat(out.scoredPairs).isEqualTo(4);
  }

  @Test
  void returnTextAddsEachRankingsPassageInRankOrder() {
    RerankOutput out =
        new ResponseOptions(0, true).shape(RerankOutput.ranked("r", "m", LOGITS, 40), PASSAGES);

    assertThat(out.indices).containsExactly(1, 3, 0, 2);
    assertThat(out.texts).containsExactly("p1", "p3", "p0", "p2");
    assertThat(OutputJson.toPipelineJson(out))
        .startsWith(
            "{\"id\":\"r\",\"model\":\"m\",\"rankings\":[{\"index\":1,\"logit\":0.9,\"text\":\"p1\"},");
    assertThat(OutputJson.fromPipelineJson(OutputJson.toPipelineJson(out))).isEqualTo(out);
  }

  @Test
  void topNLargerThanThePassagesReturnsThemAll() {
    RerankOutput out =
        new ResponseOptions(10, true).shape(RerankOutput.ranked("r", "m", LOGITS, 40), PASSAGES);

    assertThat(out.indices).hasSize(4);
    assertThat(out.texts).hasSize(4);
  }

  @Test
  void nimOptionsLeaveTheRankingAsScored() {
    RerankOutput full = RerankOutput.ranked("r", "m", LOGITS, 40);
    String before = OutputJson.toPipelineJson(full);

    RerankOutput out = ResponseOptions.NIM.shape(full, PASSAGES);

    assertThat(OutputJson.toPipelineJson(out)).isEqualTo(before).doesNotContain("text");
  }
}
