package io.rerankflow.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a UTF-8 text file line by line, passing 1-based line numbers for error messages. */
final class NumberedLines {

  /** Receives each line of a file together with its 1-based number. */
  @FunctionalInterface
  interface Handler {
    void handle(String line, int lineNumber);
  }

  private NumberedLines() {}

  static void forEach(Path path, Handler handler) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        handler.handle(line, lineNumber);
      }
    }
  }
}
