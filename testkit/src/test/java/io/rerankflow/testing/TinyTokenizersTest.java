package io.rerankflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.rerankflow.testing.TinyTokenizers.PairProcessor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Proves each tokenizer.json fixture loads in DJL and tokenises like the family it stands for. */
class TinyTokenizersTest {
  private static final Map<String, String> PLAIN =
      Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true");

  @TempDir Path dir;

  @Test
  void byteLevelBpeSplitsLikeLlama3AndPrependsBeginOfText() throws Exception {
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(TinyTokenizers.byteLevelBpe(dir), PLAIN)) {
      Encoding encoding =
          tokenizer.encode("question:which way should I go? \n \n passage:two roads diverged");

      String[] expected = {
        "<|begin_of_text|>",
        "question",
        ":",
        "which",
        "Ġway",
        "Ġshould",
        "ĠI",
        "Ġgo",
        "?",
        "Ġ",
        "Ċ",
        "Ġ",
        "Ċ",
        "Ġpassage",
        ":",
        "two",
        "Ġroads",
        "Ġdiverged"
      };
      assertThat(encoding.getTokens()).containsExactly(expected);
      assertThat(encoding.getIds())
          .containsExactly(Arrays.stream(expected).mapToLong(TinyTokenizers::bpeId).toArray());
      assertThat(encoding.getSpecialTokenMask()[0]).isEqualTo(1L);
    }
  }

  @Test
  void byteLevelBpeHasATokenForEveryByte() throws Exception {
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(TinyTokenizers.byteLevelBpe(dir), PLAIN)) {
      Encoding encoding = tokenizer.encode("é😀");

      // é is two UTF-8 bytes, the emoji four: each byte is one token.
      assertThat(encoding.getIds()).hasSize(1 + 2 + 4);
      assertThat(encoding.getIds())
          .containsExactly(
              TinyTokenizers.bpeId("<|begin_of_text|>"), 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80);
    }
  }

  @ParameterizedTest
  @EnumSource(PairProcessor.class)
  void unigramJoinsAPairLikeXlmRoberta(PairProcessor processor) throws Exception {
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(TinyTokenizers.unigram(dir, processor), PLAIN)) {
      Encoding encoding = tokenizer.encode("which way should i go?", "two roads diverged");

      String[] expected = {
        "<s>",
        "▁which",
        "▁way",
        "▁should",
        "▁i",
        "▁go",
        "?",
        "</s>",
        "</s>",
        "▁two",
        "▁roads",
        "▁diverged",
        "</s>"
      };
      assertThat(encoding.getTokens()).containsExactly(expected);
      assertThat(encoding.getIds())
          .containsExactly(Arrays.stream(expected).mapToLong(TinyTokenizers::unigramId).toArray());
      assertThat(encoding.getIds()[0]).isZero();
      assertThat(TinyTokenizers.unigramId("<pad>")).isEqualTo(1L);
    }
  }

  @Test
  void unigramSplitsUnknownWordsIntoCharacters() throws Exception {
    try (HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            TinyTokenizers.unigram(dir, PairProcessor.TEMPLATE), PLAIN)) {
      Encoding encoding = tokenizer.encode("Way");

      assertThat(encoding.getTokens()).containsExactly("<s>", "▁", "W", "a", "y", "</s>");
    }
  }
}
