package io.rerankflow.jobs;

import static io.rerankflow.cli.OptionChecks.require;

import io.rerankflow.inference.EngineSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The job's options, parsed by picocli and checked once in {@link #validate()}. */
public final class RerankOptions {

  @Option(
      names = "--source",
      defaultValue = "file",
      converter = SourceKind.Converter.class,
      description = "Where requests come from: file (--input) or kafka. Default: ${DEFAULT-VALUE}.")
  SourceKind source;

  @Option(
      names = "--sink",
      defaultValue = "file",
      converter = SinkKind.Converter.class,
      description =
          "Where results go: file (JSONL in --output), parquet (--output) or kafka"
              + " (--results-topic). Default: ${DEFAULT-VALUE}.")
  SinkKind sink;

  @Option(
      names = "--input",
      description = "JSONL file of NIM ranking requests, or a directory of such files.")
  Path input;

  @Option(names = "--output", description = "Directory for the JSONL or Parquet results.")
  Path output;

  @Option(
      names = "--overwrite",
      description =
          "Replace the results of a completed run (or of a run without state) in --output"
              + " instead of refusing to run. An interrupted run of the same command is resumed"
              + " all the same; --fresh starts it over.")
  boolean overwrite;

  @Option(
      names = "--fresh",
      description =
          "Discard the interrupted run's state (--output/.rerankflow-state) and results in"
              + " --output and start over, instead of resuming it.")
  boolean fresh;

  @Mixin EngineOptions engine = new EngineOptions();

  @Mixin KafkaOptions kafka = new KafkaOptions();

  /**
   * Options for reranking {@code input} into {@code output} with {@code engine}'s settings, every
   * other option at its default (the defaults live only in the {@code @Option}s, so these come from
   * picocli too).
   */
  public static RerankOptions of(Path input, Path output, boolean overwrite, EngineOptions engine) {
    return of(input, output, overwrite, false, null, engine);
  }

  /**
   * As {@link #of(Path, Path, boolean, EngineOptions)}, discarding an interrupted run if fresh and
   * checkpointing every {@code checkpointInterval} (null: the default).
   */
  public static RerankOptions of(
      Path input,
      Path output,
      boolean overwrite,
      boolean fresh,
      Duration checkpointInterval,
      EngineOptions engine) {
    RerankOptions options = CommandLine.populateCommand(new RerankOptions());
    options.input = input;
    options.output = output;
    options.overwrite = overwrite;
    options.fresh = fresh;
    options.kafka.checkpointInterval = checkpointInterval;
    options.engine = engine;
    return options;
  }

  /** Whether this is a file run, which keeps its state in --output and resumes. */
  boolean resumable() {
    return source == SourceKind.FILE && sink != SinkKind.KAFKA;
  }

  /** Checks values that picocli cannot, with messages that say how to fix them. */
  public void validate() {
    require(
        source != SourceKind.FILE || input != null,
        "--input is needed with --source file (a JSONL file or directory)");
    require(
        input == null || Files.exists(input),
        "--input " + input + " does not exist; give a JSONL file or a directory of them");
    require(
        source != SourceKind.KAFKA || input == null,
        "--input is for --source file; with --source kafka requests come from --requests-topic");
    require(
        sink == SinkKind.KAFKA || output != null,
        "--output is needed with --sink " + sink.optionValue() + " (a directory for the results)");
    require(
        output == null || !Files.isRegularFile(output),
        "--output " + output + " is a file; give a directory for the results");
    require(
        sink != SinkKind.KAFKA || output == null,
        "--output is for --sink file or parquet; with --sink kafka results go to --results-topic");
    require(
        !fresh || resumable(),
        "--fresh is for file runs (--source file, --sink file or parquet); a Kafka job resumes"
            + " from its consumer group's offsets");
    kafka.validate(source == SourceKind.KAFKA, sink == SinkKind.KAFKA);
    engine.validate();
  }

  public EngineOptions engine() {
    return engine;
  }

  public EngineSettings engineSettings() {
    return engine.engineSettings();
  }

  public SourceKind source() {
    return source;
  }

  public SinkKind sink() {
    return sink;
  }

  public KafkaOptions kafka() {
    return kafka;
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

  public boolean fresh() {
    return fresh;
  }
}
