package io.rerankflow.jobs.files;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A stream split into lines of raw bytes, never decoded: the request parser decodes UTF-8 strictly,
 * so a line with a bad byte becomes that line's {@code malformed_json} record instead of text with
 * replacement characters.
 */
final class ByteLines implements Closeable {
  private final InputStream in;
  private final byte[] buffer = new byte[1 << 16];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private int position;
  private int limit;

  ByteLines(InputStream in) {
    this.in = in;
  }

  /** The next line without its {@code \n} or {@code \r\n}, or null at the end of the stream. */
  byte[] next() throws IOException {
    line.reset();
    boolean started = false;
    while (true) {
      if (position == limit) {
        int read = in.read(buffer);
        if (read < 0) {
          return started ? finish() : null;
        }
        position = 0;
        limit = read;
        continue;
      }
      started = true;
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      line.write(buffer, start, position - start);
      if (position < limit) {
        position++;
        return finish();
      }
    }
  }

  private byte[] finish() {
    byte[] bytes = line.toByteArray();
    int n = bytes.length;
    return n > 0 && bytes[n - 1] == '\r' ? Arrays.copyOf(bytes, n - 1) : bytes;
  }

  /** Whether a line holds only JSON whitespace (space, tab, carriage return), so no request. */
  static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
