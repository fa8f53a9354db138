package io.rerankflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void wellFormedTextOfEveryLengthPasses() {
    assertThat(Utf8.firstInvalidByte(new byte[0])).isEqualTo(-1);
    assertThat(Utf8.firstInvalidByte("plain ascii".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    String mixed = "é ü 日本 😀 ".repeat(3000);
    assertThat(Utf8.firstInvalidByte(mixed.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
  }

  @Test
  void reportsTheOffsetOfTheFirstIllFormedSequence() {
    assertThat(Utf8.firstInvalidByte(bytes('a', 'b', 0xff, 'c'))).isEqualTo(2);
    // A stray continuation byte after a well-formed two-byte character.
    assertThat(Utf8.firstInvalidByte(bytes('x', 0xc3, 0xa9, 0x80))).isEqualTo(3);
    // A lead byte cut off at the end.
    assertThat(Utf8.firstInvalidByte(bytes('x', 'y', 0xe6, 0x97))).isEqualTo(2);
  }

  @Test
  void overlongEncodingsAndEncodedSurrogatesAreInvalid() {
    assertThat(Utf8.firstInvalidByte(bytes('"', 0xc0, 0xaf, '"'))).isEqualTo(1);
    assertThat(Utf8.firstInvalidByte(bytes('"', 0xed, 0xa0, 0x80, '"'))).isEqualTo(1);
  }

  @Test
  void invalidBytesFarIntoALongBodyAreFound() {
    byte[] body = ("{\"text\":\"" + "é".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
    byte[] withBad = java.util.Arrays.copyOf(body, body.length + 1);
    withBad[body.length] = (byte) 0xfe;
    assertThat(Utf8.firstInvalidByte(withBad)).isEqualTo(body.length);
  }
}
