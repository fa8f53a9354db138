package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServedModelsTest {
  private static final ServedModels MODELS =
      ServedModels.builder()
          .add("bge-small-en-v1.5", List.of("default", "bge"))
          .add("nvidia/nv-rerankqa-mistral-4b-v3", List.of())
          .build();

  @Test
  void canonicalNameResolvesToItself() {
    assertThat(MODELS.resolve("bge-small-en-v1.5")).contains("bge-small-en-v1.5");
    assertThat(MODELS.resolve("nvidia/nv-rerankqa-mistral-4b-v3"))
        .contains("nvidia/nv-rerankqa-mistral-4b-v3");
  }

  @Test
  void aliasResolvesToItsCanonicalName() {
    assertThat(MODELS.resolve("default")).contains("bge-small-en-v1.5");
    assertThat(MODELS.resolve("bge")).contains("bge-small-en-v1.5");
  }

  @Test
  void unknownNameResolvesToEmpty() {
    assertThat(MODELS.resolve("gpt-5")).isEmpty();
    assertThat(MODELS.resolve("")).isEmpty();
    assertThat(MODELS.resolve("DEFAULT")).isEmpty();
  }

  @Test
  void namesAreTheCanonicalNamesInConfiguredOrder() {
    assertThat(MODELS.names())
        .containsExactly("bge-small-en-v1.5", "nvidia/nv-rerankqa-mistral-4b-v3");
  }

  @Test
  void describeListsEveryModelWithItsAliases() {
    assertThat(MODELS.describe())
        .isEqualTo("bge-small-en-v1.5 (aliases: default, bge), nvidia/nv-rerankqa-mistral-4b-v3");
  }

  @Test
  void aliasUsedByTwoModelsIsRejectedAtBuildNamingBoth() {
    ServedModels.Builder builder =
        ServedModels.builder()
            .add("model-a", List.of("default"))
            .add("model-b", List.of("default"));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("default")
        .hasMessageContaining("model-a")
        .hasMessageContaining("model-b");
  }

  @Test
  void aliasEqualToAnotherModelsNameIsRejectedAtBuild() {
    ServedModels.Builder builder =
        ServedModels.builder().add("model-a", List.of()).add("model-b", List.of("model-a"));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model-a")
        .hasMessageContaining("model-b");
  }

  @Test
  void modelAddedTwiceIsRejectedAtBuild() {
    ServedModels.Builder builder =
        ServedModels.builder().add("model-a", List.of("x")).add("model-a", List.of("y"));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model-a");
  }

  @Test
  void emptySetIsRejectedAtBuild() {
    assertThatThrownBy(() -> ServedModels.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one model");
  }

  @Test
  void laterChangesToTheAliasListDoNotLeakIn() {
    List<String> aliases = new ArrayList<>(List.of("default"));
    ServedModels models = ServedModels.builder().add("m", aliases).build();

    aliases.add("sneaky");

    assertThat(models.resolve("sneaky")).isEmpty();
    assertThat(models.describe()).isEqualTo("m (aliases: default)");
  }

  @Test
  void survivesJavaSerialisationAsFlinkShipsIt() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(MODELS);
    }
    ServedModels copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (ServedModels) in.readObject();
    }

    assertThat(copy.resolve("default")).contains("bge-small-en-v1.5");
    assertThat(copy.describe()).isEqualTo(MODELS.describe());
  }
}
