package io.rerankflow.sql;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.schemas.Truncate;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The {@code WITH} options of a {@code 'provider' = 'rerankflow'} model, with their defaults. */
public final class RerankModelOptions {
  private RerankModelOptions() {}

  public static final ConfigOption<String> MODEL =
      ConfigOptions.key("model")
          .stringType()
          .defaultValue("default")
          .withDescription(
              "'default' (the embedded model), a model directory, or name=dir / name=default, as"
                  + " --model takes.");

  public static final ConfigOption<Truncate> TRUNCATE =
      ConfigOptions.key("truncate")
          .enumType(Truncate.class)
          .defaultValue(Truncate.NONE)
          .withDescription(
              "NONE rejects a pair over the model's token limit (input_too_long), END drops its"
                  + " tail.");

  public static final ConfigOption<String> DEVICE =
      ConfigOptions.key("device")
          .stringType()
          .defaultValue("cpu")
          .withDescription("cpu, cuda, cuda:N or auto, as --device takes.");

  public static final ConfigOption<Integer> MAX_BATCH_TOKENS =
      ConfigOptions.key("max-batch-tokens")
          .intType()
          .noDefaultValue()
          .withDescription(
              "Padded-token budget of one batch (longest row x rows). Default: "
                  + BatchingSettings.DEFAULTS.maxBatchTokens()
                  + " on the CPU, "
                  + BatchingSettings.GPU_DEFAULTS.maxBatchTokens()
                  + " with 'device' = 'cuda'.");

  public static final ConfigOption<Integer> MAX_BATCH_SIZE =
      ConfigOptions.key("max-batch-size")
          .intType()
          .noDefaultValue()
          .withDescription(
              "Most rows in one batch. Default: "
                  + BatchingSettings.DEFAULTS.maxBatchSize()
                  + " on the CPU, "
                  + BatchingSettings.GPU_DEFAULTS.maxBatchSize()
                  + " with 'device' = 'cuda'.");

  public static final ConfigOption<Duration> TIMEOUT =
      ConfigOptions.key("timeout")
          .durationType()
          .noDefaultValue()
          .withDescription(
              "How long one row may wait before it becomes a timeout error; must stay below"
                  + " table.exec.async-ml-predict.timeout. Default: 90% of that.");

  public static final ConfigOption<Integer> TOP_N =
      ConfigOptions.key("top-n")
          .intType()
          .defaultValue(0)
          .withDescription("Keep the n best rankings of each row; 0 keeps every passage.");
}
