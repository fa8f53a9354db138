package io.rerankflow.jobs;

import static io.rerankflow.cli.OptionChecks.require;

import io.rerankflow.cli.DurationConverter;
import io.rerankflow.inference.BatchingSettings;
import io.rerankflow.inference.Device;
import io.rerankflow.inference.EngineSettings;
import io.rerankflow.inference.ModelLocator;
import io.rerankflow.schemas.ServedModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options of the reranking stage that every job shares (models, slots, batching, device, request
 * extensions); a picocli mixin, checked once in {@link #validate()}.
 */
public final class EngineOptions {

  @Option(
      names = "--model",
      description =
          "Model to serve: a model directory, 'default' (the embedded bge-small-en-v1.5),"
              + " 'all-minilm-l6-v2' (the embedded all-MiniLM-L6-v2) or hf:ORG/NAME[@REVISION]"
              + " (a snapshot in the local Hugging Face cache; nothing is downloaded)."
              + " name=MODEL serves it under that name only; MODEL#FILE loads that ONNX file of"
              + " a directory or snapshot. Repeat for several models; requests pick one by name."
              + " Default: ${DEFAULT-VALUE}.",
      defaultValue = "default")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--onnx-file",
      paramLabel = "FILE",
      description =
          "ONNX file to load inside each --model directory or hf: snapshot, e.g."
              + " onnx/model_qint8_avx512.onnx. Default: rerank.json's onnx_file, else model.onnx,"
              + " else onnx/model.onnx. Per model: --model dir#FILE.")
  String onnxFile;

  @Option(
      names = "--parallelism",
      defaultValue = "1",
      description =
          "Task slots running the models; each holds one copy of each model. Default:"
              + " ${DEFAULT-VALUE}.")
  int parallelism;

  // No picocli default: it depends on --device (BatchingSettings.defaults).
  @Option(
      names = "--max-batch-tokens",
      description =
          "Padded-token budget of one batch (longest row x rows). Default: 768 on cpu/auto,"
              + " 16384 with --device cuda[:N].")
  Integer maxBatchTokens;

  @Option(
      names = "--max-batch-size",
      description = "Most rows in one batch. Default: 8 on cpu/auto, 128 with --device cuda[:N].")
  Integer maxBatchSize;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      converter = DeviceConverter.class,
      description =
          "cpu; cuda:N (GPU N); cuda (each slot on GPU subtask index mod the visible GPUs); auto"
              + " (GPU 0 when CUDA loads, else cpu). cuda and cuda:N fail at start when CUDA"
              + " cannot load. Default: ${DEFAULT-VALUE}.")
  Device device;

  @Option(
      names = "--intra-op-threads",
      defaultValue = "0",
      description =
          "ONNX Runtime threads per slot; 0 = the machine's cores / the TaskManager's slots."
              + " Default: ${DEFAULT-VALUE}.")
  int intraOpThreads;

  @Option(
      names = "--capacity",
      defaultValue = "256",
      description =
          "Requests in flight per slot (Flink's async capacity); the engine batches rows"
              + " across all of them. Default: ${DEFAULT-VALUE}.")
  int capacity;

  @Option(
      names = "--timeout",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description =
          "How long one request may wait in the operator before it becomes a timeout error record."
              + " Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Option(
      names = "--extensions",
      description =
          "Accept the Cohere/TEI-style request fields top_n and return_text (without it they are"
              + " unknown fields, as on the NIM).")
  boolean extensions;

  /** Checks values that picocli cannot, with messages that say how to fix them. */
  public void validate() {
    require(parallelism >= 1, "--parallelism must be at least 1");
    require(maxBatchTokens == null || maxBatchTokens >= 1, "--max-batch-tokens must be at least 1");
    require(maxBatchSize == null || maxBatchSize >= 1, "--max-batch-size must be at least 1");
    require(capacity >= 1, "--capacity must be at least 1");
    require(intraOpThreads >= 0, "--intra-op-threads must be 0 (automatic) or more");
    require(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive, e.g. 10m");
    require(!models.isEmpty(), "--model is needed at least once (try --model default)");
  }

  /**
   * Opens every model directory and checks that no two serve the same name, so a bad {@code
   * --model} fails on the client rather than in every task slot.
   */
  public ServedModels servedModels() {
    return ModelLocator.servedModels(models());
  }

  public EngineSettings engineSettings() {
    BatchingSettings defaults = BatchingSettings.defaults(device);
    return new EngineSettings(
        models(),
        device,
        intraOpThreads,
        new BatchingSettings(
            maxBatchTokens != null ? maxBatchTokens : defaults.maxBatchTokens(),
            maxBatchSize != null ? maxBatchSize : defaults.maxBatchSize()));
  }

  /** {@link Device#parse} as a picocli converter, so a bad {@code --device} is a usage error. */
  static final class DeviceConverter implements CommandLine.ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      try {
        return Device.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The {@code --model} values, each with the {@code --onnx-file} choice applied. */
  public List<String> models() {
    return ModelLocator.withOnnxFile(models, onnxFile);
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

  public boolean extensions() {
    return extensions;
  }
}
