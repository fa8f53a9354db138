package io.rerankflow.jobs;

import picocli.CommandLine;

/** Where results go ({@code --sink}). */
public enum SinkKind {
  /** JSONL files in {@code --output}. */
  FILE,
  /** Parquet files in {@code --output}, schema {@code rerank-output.avsc}. */
  PARQUET,
  /** A Kafka topic, {@code --results-topic}. */
  KAFKA;

  public String optionValue() {
    return OptionValues.of(this);
  }

  /** Parses {@code file}, {@code parquet} or {@code kafka}. */
  static final class Converter implements CommandLine.ITypeConverter<SinkKind> {
    @Override
    public SinkKind convert(String value) {
      return OptionValues.parse(SinkKind.class, "--sink", value);
    }
  }
}
