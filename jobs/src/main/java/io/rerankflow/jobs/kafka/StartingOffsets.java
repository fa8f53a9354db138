package io.rerankflow.jobs.kafka;

import io.rerankflow.jobs.OptionValues;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import picocli.CommandLine;

/** Where a fresh Kafka source starts reading ({@code --starting-offsets}); restores ignore it. */
public enum StartingOffsets {
  /** The group's committed offsets, or the earliest where the group has none. */
  COMMITTED,
  EARLIEST,
  LATEST;

  OffsetsInitializer initializer() {
    return switch (this) {
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
  }

  /** Parses {@code committed}, {@code earliest} or {@code latest}. */
  public static final class Converter implements CommandLine.ITypeConverter<StartingOffsets> {
    @Override
    public StartingOffsets convert(String value) {
      return OptionValues.parse(StartingOffsets.class, "--starting-offsets", value);
    }
  }
}
