package io.rerankflow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirReadersTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void corpusReadsIdTitleAndTextWithMissingTitleAsEmpty() throws IOException {
    Path file =
        write(
            "corpus.jsonl",
            """
            {"_id": "d1", "title": "Paris", "text": "Capital of France.", "metadata": {}}
            {"_id": "d2", "text": "No title here."}
            """);

    BeirCorpus corpus = BeirCorpus.read(file);

    assertThat(corpus.size()).isEqualTo(2);
    assertThat(corpus.get("d1")).isEqualTo(new BeirDocument("d1", "Paris", "Capital of France."));
    assertThat(corpus.get("d2")).isEqualTo(new BeirDocument("d2", "", "No title here."));
  }

  @Test
  void corpusCanKeepOnlyRequestedDocuments() throws IOException {
    Path file =
        write(
            "corpus.jsonl",
            "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"_id\": \"d2\", \"text\": \"b\"}\n");

    BeirCorpus corpus = BeirCorpus.read(file, Set.of("d2")::contains);

    assertThat(corpus.documents()).containsOnlyKeys("d2");
  }

  @Test
  void queriesReadIdAndText() throws IOException {
    Path file =
        write(
            "queries.jsonl",
            "{\"_id\": \"q1\", \"text\": \"what is bm25\", \"metadata\": {}}\n"
                + "{\"_id\": 7, \"text\": \"numeric id\"}\n");

    BeirQueries queries = BeirQueries.read(file);

    assertThat(queries.asMap())
        .containsExactly(Map.entry("q1", "what is bm25"), Map.entry("7", "numeric id"));
  }

  @Test
  void invalidJsonErrorNamesFileAndLine() throws IOException {
    Path file = write("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"_id\": \"d2\",\n");

    assertThatThrownBy(() -> BeirCorpus.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessageStartingWith(file + ":2: invalid JSON");
  }

  @Test
  void missingTextErrorNamesFieldAndLine() throws IOException {
    Path file = write("queries.jsonl", "{\"_id\": \"q1\"}\n");

    assertThatThrownBy(() -> BeirQueries.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessage(file + ":1: field 'text' is missing or not a string");
  }

  @Test
  void duplicateIdIsRejected() throws IOException {
    Path file =
        write(
            "corpus.jsonl",
            "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"_id\": \"d1\", \"text\": \"b\"}\n");

    assertThatThrownBy(() -> BeirCorpus.read(file))
        .isInstanceOf(InputFormatException.class)
        .hasMessage(file + ":2: duplicate _id 'd1'");
  }
}
