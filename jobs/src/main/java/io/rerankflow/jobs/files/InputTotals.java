package io.rerankflow.jobs.files;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The work a bounded JSONL input holds, counted before (or while) it runs so progress can show
 * totals and an ETA: requests are the non-blank lines, pairs the passages of each line's top-level
 * {@code passages} array (0 for a line that is not a request, which becomes an error record).
 */
public record InputTotals(long requests, long pairs) {
  private static final JsonFactory JSON = new JsonFactory();

  /** Counts {@code input} (a file, or a directory of files as the file source reads it). */
  public static InputTotals count(Path input) throws IOException {
    long requests = 0;
    long pairs = 0;
    for (Path file : files(input)) {
      // The same lines the file source reads, undecoded, so a bad byte is counted, not fatal.
      try (ByteLines lines = new ByteLines(Files.newInputStream(file))) {
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
          if (!ByteLines.isBlank(line)) {
            requests++;
            pairs += passages(line);
          }
        }
      }
    }
    return new InputTotals(requests, pairs);
  }

  /** Counts on a background thread so that the job can start meanwhile. */
  public static CompletableFuture<InputTotals> countAsync(Path input) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return count(input);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  // The file source skips hidden files ('.' and '_' prefixes) and reads directories recursively.
  public static List<Path> files(Path input) throws IOException {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    try (Stream<Path> walk = Files.walk(input)) {
      return walk.filter(Files::isRegularFile)
          .filter(
              f ->
                  !f.getFileName().toString().startsWith(".")
                      && !f.getFileName().toString().startsWith("_"))
          .sorted()
          .toList();
    }
  }

  /** Elements of the top-level {@code passages} array, streamed without building a tree. */
  private static long passages(byte[] line) {
    try (JsonParser parser = JSON.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return 0;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("passages".equals(field) && value == JsonToken.START_ARRAY) {
          long count = 0;
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            count++;
            parser.skipChildren();
          }
          return count;
        }
        parser.skipChildren();
      }
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
