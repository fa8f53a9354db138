package io.rerankflow.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  /** The oracle: the JDK's SHA-256, as {@code sha256sum} prints it. */
  private static String sha256Hex(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void linesGiveNamesKeysAndRatesAndSkipCommentsAndBlanks() throws Exception {
    ApiKeys keys =
        ApiKeys.parse(
            List.of(
                "# who may rank",
                "",
                "search   k-search-1   200   # the search team",
                "batch\tsha256:" + sha256Hex("k-batch-2").toUpperCase(),
                "   ",
                "tagged k#3 0.5"),
            "keys.txt");

    assertThat(keys.names()).containsExactly("search", "batch", "tagged");
    assertThat(keys.find("k-search-1").pairsPerSecond()).isEqualTo(200.0);
    assertThat(keys.find("k-batch-2").name()).isEqualTo("batch");
    assertThat(keys.find("k-batch-2").pairsPerSecond()).isZero();
    assertThat(keys.find("k#3").pairsPerSecond()).isEqualTo(0.5);
    assertThat(keys.find("k-search-")).isNull();
    assertThat(keys.find("sha256:" + sha256Hex("k-batch-2"))).isNull();
  }

  @Test
  void aMalformedLineIsNamedByItsNumberWithoutQuotingAKey() {
    assertThatThrownBy(
            () -> ApiKeys.parse(List.of("# c", "a secret-a", "b secret-b fast"), "keys.txt"))
        .isInstanceOf(ApiKeys.MalformedLine.class)
        .hasMessageStartingWith("keys.txt line 3: PAIRS_PER_SECOND")
        .hasMessageNotContaining("secret-b");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("lonely"), "f"))
        .hasMessage("f line 1: expected NAME KEY [PAIRS_PER_SECOND], found 1 fields");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a b c d"), "f")).hasMessageContaining("line 1");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a x", "a y"), "f"))
        .hasMessageContaining("line 2: the name a is given twice");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a same", "b same"), "f"))
        .hasMessageContaining("line 2")
        .hasMessageNotContaining("same");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a sha256:abc"), "f"))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a{x} key"), "f"))
        .hasMessageContaining("NAME must be");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a key -1"), "f"))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a key NaN"), "f"))
        .hasMessageContaining("positive");
  }

  @Test
  void theSingleKeyShorthandIsNamedDefaultWithoutQuota() {
    ApiKeys keys = ApiKeys.single("k");

    assertThat(keys.find("k").name()).isEqualTo("default");
    assertThat(keys.find("k").pairsPerSecond()).isZero();
    assertThat(keys.find("K")).isNull();
    assertThat(keys.find("")).isNull();
  }
}
