package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;
import io.rerankflow.testing.TinyTokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NIM truncation rules, checked against two WordPiece vocabularies: the tiny test one and the
 * real BERT-uncased tokenizer of the embedded default model. Every word used below is a single
 * token in both, so a text of n words is n tokens and the expected lengths are plain arithmetic.
 */
class TruncationRulesTest {
  // 5 words -> 5 tokens.
  private static final String QUERY = "which way should i go";
  // 7 words -> 7 tokens.
  private static final String PASSAGE = "two roads stood in a yellow wood";
  // 14 words -> 14 tokens.
  private static final String LONG_QUERY =
      "i took the one less traveled by and that has made all the difference";

  @Nested
  class TinyWordPiece extends Contract {
    @TempDir Path dir;

    @Override
    Path tokenizerFile() {
      return TinyTokenizers.wordPiece(dir);
    }

    @Override
    long id(String token) {
      return TinyTokenizers.id(token);
    }
  }

  @Nested
  class DefaultModelBertUncased extends Contract {
    private final JsonNode vocab = readVocab(DefaultModel.directory().tokenizerFile());

    @Override
    Path tokenizerFile() {
      return DefaultModel.directory().tokenizerFile();
    }

    @Override
    long id(String token) {
      JsonNode id = vocab.get(token);
      assertThat(id).as("'%s' is a whole token of the BERT vocabulary", token).isNotNull();
      return id.longValue();
    }

    @Test
    void pairOverTheModelsRealLimitIsRejectedWithTheExactLength() {
      // 600 words + [CLS] [SEP] [SEP] against BGE's 512.
      String passage = String.join(" ", Collections.nCopies(600, "the"));
      TextTokenizer tokenizer = open(512);

      assertThatThrownBy(() -> tokenizer.encodePair("go", passage, Truncate.NONE))
          .isInstanceOf(RerankException.class)
          .hasMessage("Input length 604 exceeds maximum allowed token size 512");
    }

    private static JsonNode readVocab(Path file) {
      try {
        return new ObjectMapper().readTree(file.toFile()).path("model").path("vocab");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** The rules every WordPiece tokenizer with the BERT template must follow. */
  abstract static class Contract {
    private final List<TextTokenizer> opened = new ArrayList<>();

    abstract Path tokenizerFile();

    abstract long id(String token);

    TextTokenizer open(int maxLength) {
      TextTokenizer tokenizer = new TextTokenizer(tokenizerFile(), maxLength);
      opened.add(tokenizer);
      return tokenizer;
    }

    @AfterEach
    void closeTokenizers() {
      opened.forEach(TextTokenizer::close);
    }

    @Test
    void pairUnderTheLimitIsClsQuerySepPassageSepWithTypeIdsZeroThenOne() throws Exception {
      EncodedSequence row = open(20).encodePair("Which way?", "Two roads.", Truncate.NONE);

      assertThat(row.ids())
          .containsExactly(ids("[CLS] which way ? [SEP] two roads . [SEP]"))
          .hasSize(row.length());
      // [CLS] which way ? [SEP] -> type 0; two roads . [SEP] -> type 1.
      assertThat(row.typeIds()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
      assertThat(row.length()).isEqualTo(9);
    }

    @Test
    void pairOverTheLimitWithNoneIsInputTooLongWithTheUntruncatedLength() {
      // 5 query + 7 passage + 3 specials = 15 > 12.
      RerankException e = catchRerank(() -> open(12).encodePair(QUERY, PASSAGE, Truncate.NONE));

      assertThat(e.failure().kind()).isEqualTo(ErrorKind.INPUT_TOO_LONG);
      assertThat(e.failure().status()).isEqualTo(422);
      assertThat(e).hasMessage("Input length 15 exceeds maximum allowed token size 12");
    }

    @Test
    void pairExactlyAtTheLimitIsAcceptedWithNone() throws Exception {
      // 5 + 7 + 3 = 15 = maxLength.
      EncodedSequence row = open(15).encodePair(QUERY, PASSAGE, Truncate.NONE);

      assertThat(row.ids()).containsExactly(ids("[CLS] " + QUERY + " [SEP] " + PASSAGE + " [SEP]"));
    }

    @Test
    void truncateEndCutsThePassageTailAndKeepsTheQueryIntact() throws Exception {
      // 15 tokens at a limit of 12: the passage keeps 12 - 3 - 5 = 4 of its 7 words.
      EncodedSequence row = open(12).encodePair(QUERY, PASSAGE, Truncate.END);

      assertThat(row.length()).isEqualTo(12);
      assertThat(row.ids())
          .containsExactly(ids("[CLS] which way should i go [SEP] two roads stood in [SEP]"));
      assertThat(row.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
    }

    @Test
    void truncateEndKeepsTheUntruncatedPrefixThenSep() throws Exception {
      EncodedSequence full = open(64).encodePair(QUERY, PASSAGE, Truncate.NONE);
      EncodedSequence cut = open(10).encodePair(QUERY, PASSAGE, Truncate.END);

      long[] expected = Arrays.copyOf(Arrays.copyOf(full.ids(), 9), 10);
      expected[9] = id("[SEP]");
      assertThat(cut.ids()).containsExactly(expected);
      assertThat(cut.typeIds()).containsExactly(Arrays.copyOf(full.typeIds(), 10));
    }

    @Test
    void truncateEndLeavesOnePassageTokenWhenTheQueryLeavesRoomForOne() throws Exception {
      // Query with template is 5 + 3 = 8; a limit of 9 leaves exactly one passage token.
      EncodedSequence row = open(9).encodePair(QUERY, PASSAGE, Truncate.END);

      assertThat(row.ids()).containsExactly(ids("[CLS] which way should i go [SEP] two [SEP]"));
      assertThat(row.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1, 1);
    }

    @Test
    void truncateEndDropsThePassageWhenTheQueryWithTemplateExactlyFillsTheLimit() throws Exception {
      // Query with template is 5 + 3 = 8 = maxLength: no room for any passage token.
      EncodedSequence row = open(8).encodePair(QUERY, PASSAGE, Truncate.END);

      assertThat(row.ids()).containsExactly(ids("[CLS] which way should i go [SEP] [SEP]"));
      // The pair template types the closing [SEP] as the (now empty) second segment.
      assertThat(row.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
    }

    @Test
    void truncateEndCutsTheQueryAndDropsThePassageWhenTheQueryAloneIsOverTheLimit()
        throws Exception {
      // 14 query words + 3 specials = 17 >= 8: the passage goes, the query keeps 8 - 3 = 5 words.
      EncodedSequence row = open(8).encodePair(LONG_QUERY, PASSAGE, Truncate.END);

      assertThat(row.length()).isEqualTo(8);
      assertThat(row.ids()).containsExactly(ids("[CLS] i took the one less [SEP] [SEP]"));
      assertThat(row.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
    }

    @Test
    void overLongQueryWithNoneReportsTheFullPairLength() {
      // 14 + 7 + 3 = 24.
      RerankException e = catchRerank(() -> open(8).encodePair(LONG_QUERY, PASSAGE, Truncate.NONE));

      assertThat(e.failure().kind()).isEqualTo(ErrorKind.INPUT_TOO_LONG);
      assertThat(e).hasMessage("Input length 24 exceeds maximum allowed token size 8");
    }

    @Test
    void singleUnderTheLimitIsClsTextSepWithTypeIdsZero() throws Exception {
      TextTokenizer tokenizer = open(8);

      for (Truncate truncate : Truncate.values()) {
        EncodedSequence row = tokenizer.encodeSingle(QUERY, truncate);

        assertThat(row.ids()).containsExactly(ids("[CLS] which way should i go [SEP]"));
        assertThat(row.typeIds()).containsOnly(0L).hasSize(7);
      }
    }

    @Test
    void singleOverTheLimitWithNoneIsInputTooLong() {
      // 14 + [CLS] [SEP] = 16 > 12.
      RerankException e = catchRerank(() -> open(12).encodeSingle(LONG_QUERY, Truncate.NONE));

      assertThat(e.failure().kind()).isEqualTo(ErrorKind.INPUT_TOO_LONG);
      assertThat(e).hasMessage("Input length 16 exceeds maximum allowed token size 12");
    }

    @Test
    void singleOverTheLimitWithEndKeepsTheFirstTokensThenSep() throws Exception {
      // A limit of 8 keeps 8 - 2 = 6 words.
      EncodedSequence row = open(8).encodeSingle(LONG_QUERY, Truncate.END);

      assertThat(row.ids()).containsExactly(ids("[CLS] i took the one less traveled [SEP]"));
      assertThat(row.typeIds()).containsOnly(0L).hasSize(8);
    }

    @Test
    void singleExactlyAtTheLimitIsAcceptedWithNone() throws Exception {
      // 5 + 2 = 7.
      EncodedSequence row = open(7).encodeSingle(QUERY, Truncate.NONE);

      assertThat(row.length()).isEqualTo(7);
    }

    long[] ids(String spaceSeparatedTokens) {
      return Arrays.stream(spaceSeparatedTokens.split(" ")).mapToLong(this::id).toArray();
    }

    private static RerankException catchRerank(ThrowingCall call) {
      try {
        call.run();
      } catch (RerankException e) {
        return e;
      }
      throw new AssertionError("expected a RerankException");
    }

    @FunctionalInterface
    interface ThrowingCall {
      void run() throws RerankException;
    }
  }
}
