package io.rerankflow.jobs.kafka;

import io.rerankflow.jobs.OptionValues;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine;

/** The Kafka sinks' guarantee across failures ({@code --delivery}). */
public enum Delivery {
  /** Nothing lost; a restore may write a result again. */
  AT_LEAST_ONCE,
  /**
   * Nothing lost or duplicated for {@code read_committed} readers: results are written in Kafka
   * transactions committed with each checkpoint.
   */
  EXACTLY_ONCE;

  DeliveryGuarantee guarantee() {
    return this == EXACTLY_ONCE ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
  }

  /** Parses {@code at-least-once} or {@code exactly-once}. */
  public static final class Converter implements CommandLine.ITypeConverter<Delivery> {
    @Override
    public Delivery convert(String value) {
      return OptionValues.parse(Delivery.class, "--delivery", value);
    }
  }
}
