package io.rerankflow.jobs;

import io.rerankflow.inference.EngineSettings;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The job's options, parsed by picocli and checked once in {@link #validate()}. */
public final class RerankOptions {

  @Option(
      names = "--input",
      required = true,
      description = "JSONL file of NIM ranking requests, or a directory of such files.")
  Path input;

  @Option(names = "--output", required = true, description = "Directory for the JSONL results.")
  Path output;

  @Option(
      names = "--overwrite",
      description = "Replace earlier results in --output instead of refusing to run.")
  boolean overwrite;

  @Mixin EngineOptions engine = new EngineOptions();

  /** Options for reranking {@code input} into {@code output} with {@code engine}'s settings. */
  static RerankOptions of(Path input, Path output, boolean overwrite, EngineOptions engine) {
    RerankOptions options = new RerankOptions();
    options.input = input;
    options.output = output;
    options.overwrite = overwrite;
    options.engine = engine;
    return options;
  }

  /** Checks values that picocli cannot, with messages that say how to fix them. */
  public void validate() {
    engine.validate();
  }

  public EngineOptions engine() {
    return engine;
  }

  public EngineSettings engineSettings() {
    return engine.engineSettings();
  }

  public Path input() {
    return input;
  }

  public Path output() {
    return output;
  }

  public int parallelism() {
    return engine.parallelism();
  }

  public int capacity() {
    return engine.capacity();
  }

  public Duration timeout() {
    return engine.timeout();
  }

  public boolean overwrite() {
    return overwrite;
  }
}
