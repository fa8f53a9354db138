package io.rerankflow.jobs;

import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Option(
      names = "--model",
      description =
          "Model directory, or 'default' for the embedded bge-small-en-v1.5. Repeat for several"
              + " models; requests pick one by name. Default: ${DEFAULT-VALUE}.",
      defaultValue = "default")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--parallelism",
      defaultValue = "1",
      description = "Task slots running the model; each holds one copy. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--max-batch-tokens",
      defaultValue = "768",
      description =
          "Padded-token budget of one batch (longest row x rows). Default: ${DEFAULT-VALUE}.")
  int maxBatchTokens;

  @Option(
      names = "--max-batch-size",
      defaultValue = "8",
      description = "Most rows in one batch. Default: ${DEFAULT-VALUE}.")
  int maxBatchSize;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "cpu, cuda:N (fail if CUDA cannot load) or auto. Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(
      names = "--intra-op-threads",
      defaultValue = "0",
      description = "ONNX Runtime threads per slot; 0 = cores / slots. Default: ${DEFAULT-VALUE}.")
  int intraOpThreads;

  @Option(
      names = "--capacity",
      defaultValue = "256",
      description =
          "Requests in flight per slot; the batching window draws from them. Default:"
              + " ${DEFAULT-VALUE}.")
  int capacity;

  @Option(
      names = "--timeout",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description =
          "How long one request may wait in the operator before it becomes a timeout error record."
              + " Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  /** Checks values that picocli cannot, with messages that say how to fix them. */
  public void validate() {
    require(parallelism >= 1, "--parallelism must be at least 1");
    require(maxBatchTokens >= 1, "--max-batch-tokens must be at least 1");
    require(maxBatchSize >= 1, "--max-batch-size must be at least 1");
    require(capacity >= 1, "--capacity must be at least 1");
    require(intraOpThreads >= 0, "--intra-op-threads must be 0 (automatic) or more");
    require(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive, e.g. 10m");
    require(!models.isEmpty(), "--model is needed at least once (try --model default)");
    Device.parse(device);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  public EngineSettings engineSettings() {
    return new EngineSettings(
        models,
        Device.parse(device),
        intraOpThreads,
        new BatchingSettings(maxBatchTokens, maxBatchSize));
  }

  public Path input() {
    return input;
  }

  public Path output() {
    return output;
  }

  public int parallelism() {
    return parallelism;
  }

  public int capacity() {
    return capacity;
  }

  public Duration timeout() {
    return timeout;
  }

  public boolean overwrite() {
    return overwrite;
  }
}
