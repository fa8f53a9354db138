package io.rerankflow.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks every options class makes in its {@code validate()}: a failed one throws an {@link
 * IllegalArgumentException} whose message says what is wrong and how to fix it, which {@link
 * CommandLineErrors} prints as one line with exit code 2.
 */
public final class OptionChecks {
  private OptionChecks() {}

  /** Fails with {@code message} unless {@code condition} holds. */
  public static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Fails unless {@code file}, given with {@code option}, is a readable regular file. */
  public static void requireFile(Path file, String option) {
    require(
        Files.isRegularFile(file) && Files.isReadable(file),
        option + ": " + file + " is not a readable file");
  }
}
