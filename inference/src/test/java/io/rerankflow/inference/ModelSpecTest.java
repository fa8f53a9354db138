package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rerankflow.testing.TinyTokenizers;
import io.rerankflow.testing.TinyTokenizers.PairProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How rerank.json, the export's own config files and the family defaults combine. */
class ModelSpecTest {
  @TempDir Path dir;

  @Test
  void withoutExportFilesABertCrossEncoderIsAssumed() throws IOException {
    ModelSpec spec = spec("{\"name\": \"m\"}");

    assertThat(spec.family()).isEqualTo(ModelFamily.BERT);
    assertThat(spec.kind()).isEqualTo(ModelKind.CROSS_ENCODER);
    assertThat(spec.maxLength()).isEqualTo(512);
    assertThat(spec.paddingSide()).isEqualTo(PaddingSide.RIGHT);
    assertThat(spec.padTokenId()).isZero();
    assertThat(spec.template()).isNull();
  }

  @Test
  void llamaFamilyDefaultsToNvidiasTemplateLeftPaddingAnd8192() throws IOException {
    ModelSpec spec = spec("{\"name\": \"m\", \"family\": \"llama-bidirectional\"}");

    assertThat(spec.template().fill("q", "p").text()).isEqualTo("question:q \n \n passage:p");
    assertThat(spec.paddingSide()).isEqualTo(PaddingSide.LEFT);
    assertThat(spec.maxLength()).isEqualTo(8192);
  }

  @Test
  void padTokenFallsBackToEosAndReadsTheObjectForm() throws IOException {
    TinyTokenizers.unigram(dir, PairProcessor.TEMPLATE);
    write("tokenizer_config.json", "{\"pad_token\": null, \"eos_token\": {\"content\": \"</s>\"}}");

    assertThat(spec("{\"name\": \"m\"}").padTokenId()).isEqualTo(2);
  }

  @Test
  void hugeModelMaxLengthMeansNoLimitAndFallsBackToTheFamily() throws IOException {
    write("tokenizer_config.json", "{\"model_max_length\": 1000000000000000019884624838656}");

    assertThat(spec("{\"name\": \"m\"}").maxLength()).isEqualTo(512);
  }

  @Test
  void padTokenMissingFromTheVocabularyFailsNamingIt() throws IOException {
    TinyTokenizers.wordPiece(dir);
    write("tokenizer_config.json", "{\"pad_token\": \"<pad>\"}");

    assertThatThrownBy(() -> spec("{\"name\": \"m\"}"))
        .hasMessageContaining("pad_token '<pad>' is not a token of tokenizer.json")
        .hasMessageContaining("set pad_token_id in rerank.json");
  }

  @Test
  void templateNeedsBothPlaceholdersOnce() {
    assertThatThrownBy(() -> spec("{\"name\": \"m\", \"template\": \"q: {query}\"}"))
        .hasMessageContaining("template: must contain {query} and {passage} exactly once each");
    assertThatThrownBy(() -> spec("{\"name\": \"m\", \"template\": \"{query} {passage} {query}\"}"))
        .hasMessageContaining("exactly once each");
  }

  @Test
  void templateFillsOnceEvenWhenTextContainsPlaceholders() {
    PromptTemplate template = PromptTemplate.parse("p: {passage} q: {query}!");

    PromptTemplate.Prompt prompt = template.fill("{passage}", "{query}");

    assertThat(prompt.text()).isEqualTo("p: {query} q: {passage}!");
    assertThat(prompt.text().substring(prompt.passageStart(), prompt.passageEnd()))
        .isEqualTo("{query}");
  }

  @Test
  void templateOnABiEncoderIsRejected() {
    assertThatThrownBy(
            () ->
                spec(
                    "{\"name\": \"m\", \"kind\": \"bi-encoder\","
                        + " \"template\": \"{query} {passage}\"}"))
        .hasMessageContaining("template: only cross-encoders read a pair as one text");
  }

  private ModelSpec spec(String rerankJson) throws IOException {
    return ModelSpec.fromJson(new ObjectMapper().readTree(rerankJson), ExportMetadata.read(dir));
  }

  private void write(String file, String content) throws IOException {
    Files.writeString(dir.resolve(file), content);
  }
}
