package io.rerankflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
  @TempDir Path dir;

  @Test
  void opensADirectoryWithItsFiles() throws IOException {
    Files.write(dir.resolve("model.onnx"), new byte[] {1});
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.writeString(dir.resolve("rerank.json"), "{\"name\": \"ce\", \"max_length\": 64}");

    ModelDirectory model = ModelDirectory.open(dir);

    assertThat(model.root()).isEqualTo(dir);
    assertThat(model.onnxFile()).isEqualTo(dir.resolve("model.onnx"));
    assertThat(model.tokenizerFile()).isEqualTo(dir.resolve("tokenizer.json"));
    assertThat(model.spec().name()).isEqualTo("ce");
    assertThat(model.spec().maxLength()).isEqualTo(64);
  }

  @Test
  void everyMissingFileIsListed() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), "{}");

    assertThatThrownBy(() -> ModelDirectory.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("lacks model.onnx (nor onnx/model.onnx) (");
  }

  @Test
  void anEmptyDirectoryListsBothRequiredFiles() {
    assertThatThrownBy(() -> ModelDirectory.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks model.onnx (nor onnx/model.onnx), tokenizer.json (");
  }

  @Test
  void withoutRerankJsonTheDirectoryIsServedUnderItsName() throws IOException {
    Path model = Files.createDirectory(dir.resolve("my-reranker"));
    Files.write(model.resolve("model.onnx"), new byte[] {1});
    Files.writeString(model.resolve("tokenizer.json"), "{}");
    Files.writeString(model.resolve("rerank.json"), "{\"max_length\": 64}");

    assertThat(ModelDirectory.open(model).spec().name()).isEqualTo("my-reranker");
    Files.delete(model.resolve("rerank.json"));
    assertThat(ModelDirectory.open(model).spec().name()).isEqualTo("my-reranker");
    assertThat(ModelDirectory.open(model).spec().maxLength()).isEqualTo(512);
  }

  @Test
  void aFileNamedLikeAModelFileButBeingADirectoryCountsAsMissing() throws IOException {
    Files.createDirectory(dir.resolve("model.onnx"));
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.writeString(dir.resolve("rerank.json"), "{\"name\": \"ce\"}");

    assertThatThrownBy(() -> ModelDirectory.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks model.onnx (nor onnx/model.onnx) (");
  }

  @Test
  void aPathThatIsNotADirectoryIsRejected() throws IOException {
    Path file = Files.writeString(dir.resolve("model.onnx"), "x");
    Path absent = dir.resolve("absent");

    assertThatThrownBy(() -> ModelDirectory.open(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model directory " + file + " does not exist (pass a directory or 'default')");
    assertThatThrownBy(() -> ModelDirectory.open(absent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(absent + " does not exist");
  }

  @Test
  void anInvalidRerankJsonIsReportedWithItsPath() throws IOException {
    Files.write(dir.resolve("model.onnx"), new byte[] {1});
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.writeString(dir.resolve("rerank.json"), "{\"name\": \"ce\", \"kind\": \"llm\"}");

    assertThatThrownBy(() -> ModelDirectory.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(dir.resolve("rerank.json") + ": kind:");
  }

  @Test
  void theDefaultModelIsAValidBiEncoderDirectory() {
    ModelDirectory model = DefaultModel.directory();

    assertThat(model.onnxFile()).isRegularFile();
    assertThat(model.tokenizerFile()).isRegularFile();
    assertThat(model.root().resolve(ModelSpec.FILE_NAME)).isRegularFile();
    assertThat(ModelDirectory.open(model.root())).isEqualTo(model);
    assertThat(model.spec().name()).isEqualTo("bge-small-en-v1.5").isEqualTo(DefaultModel.NAME);
    assertThat(model.spec().aliases()).containsExactly("default");
    assertThat(model.spec().kind()).isEqualTo(ModelKind.BI_ENCODER);
    assertThat(model.spec().pooling()).isEqualTo(Pooling.CLS);
    assertThat(model.spec().maxLength()).isEqualTo(512);
    assertThat(model.spec().queryPrefix())
        .isEqualTo("Represent this sentence for searching relevant passages: ");
  }

  @Test
  void theDefaultModelIsMaterialisedOncePerJvm() throws IOException {
    ModelDirectory first = DefaultModel.directory();
    long modified = Files.getLastModifiedTime(first.onnxFile()).toMillis();

    ModelDirectory second = DefaultModel.directory();

    assertThat(second).isSameAs(first);
    assertThat(Files.getLastModifiedTime(second.onnxFile()).toMillis()).isEqualTo(modified);
  }

  @Test
  void theDefaultAliasResolvesToTheDefaultModel() {
    assertThat(ModelLocator.resolve("default")).isSameAs(DefaultModel.directory());
  }
}
