package io.rerankflow.jobs.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteLinesTest {
  private static List<byte[]> lines(byte[] bytes) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    try (ByteLines reader = new ByteLines(new ByteArrayInputStream(bytes))) {
      for (byte[] line = reader.next(); line != null; line = reader.next()) {
        lines.add(line);
      }
    }
    return lines;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void splitsOnNewlineAndCrLfKeepingEmptyLinesAndAnUnterminatedLast() throws IOException {
    assertThat(lines(utf8("a\nb\r\n\nc")))
        .containsExactly(utf8("a"), utf8("b"), utf8(""), utf8("c"));
    assertThat(lines(utf8("a\n"))).containsExactly(utf8("a"));
    assertThat(lines(new byte[0])).isEmpty();
  }

  @Test
  void bytesStayAsTheyWereEvenWhenTheyAreNotUtf8() throws IOException {
    byte[] latin1 = "caf\u00e9\nnext".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(lines(latin1))
        .containsExactly(
            new byte[] {'c', 'a', 'f', (byte) 0xe9}, "next".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void linesLongerThanTheBufferComeBackWhole() throws IOException {
    String longLine = "x".repeat(200_000) + "\u00e9";
    assertThat(lines(utf8(longLine + "\n" + longLine)))
        .containsExactly(utf8(longLine), utf8(longLine));
  }

  @Test
  void onlyJsonWhitespaceIsBlank() {
    assertThat(ByteLines.isBlank(utf8(" \t\r"))).isTrue();
    assertThat(ByteLines.isBlank(utf8(""))).isTrue();
    assertThat(ByteLines.isBlank(utf8("\u00a0"))).isFalse();
    assertThat(ByteLines.isBlank(utf8(" {}"))).isFalse();
  }
}
