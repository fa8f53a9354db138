package io.rerankflow.jobs;

import picocli.CommandLine;

/** Where requests come from ({@code --source}). */
public enum SourceKind {
  /** JSONL files; bounded, read with checkpoints, so an interrupted run resumes. */
  FILE,
  /** A Kafka topic; unbounded, its offsets committed on checkpoints. */
  KAFKA;

  String optionValue() {
    return OptionValues.of(this);
  }

  /** Parses {@code file} or {@code kafka}. */
  static final class Converter implements CommandLine.ITypeConverter<SourceKind> {
    @Override
    public SourceKind convert(String value) {
      return OptionValues.parse(SourceKind.class, "--source", value);
    }
  }
}
