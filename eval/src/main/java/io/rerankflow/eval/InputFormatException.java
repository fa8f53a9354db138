package io.rerankflow.eval;

import java.nio.file.Path;

/** A line of an evaluation input file that cannot be parsed; the message names file and line. */
public final class InputFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int lineNumber;

  public InputFormatException(Path file, int lineNumber, String problem) {
    super(file + ":" + lineNumber + ": " + problem);
    this.file = file.toString();
    this.lineNumber = lineNumber;
  }

  public String file() {
    return file;
  }

  /** 1-based number of the offending line. */
  public int lineNumber() {
    return lineNumber;
  }
}
