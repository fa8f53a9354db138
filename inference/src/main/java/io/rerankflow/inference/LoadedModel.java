package io.rerankflow.inference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A served model in one slot: its spec, its request encoder and its runtime. */
public record LoadedModel(ModelSpec spec, RequestEncoder encoder, BatchModel model)
    implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

  /** Loads tokenizer and ONNX session for a model directory. */
  public static LoadedModel load(ModelDirectory dir, SessionSettings settings) {
    RequestEncoder encoder = encoder(dir);
    try {
      return new LoadedModel(dir.spec(), encoder, OnnxBatchModel.load(dir, settings));
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /**
   * The tokenizer side of a model alone (no ONNX session): what the HTTP edge needs to answer an
   * over-long {@code truncate: NONE} request itself, by the same rule as the job.
   */
  public static RequestEncoder encoder(ModelDirectory dir) {
    ModelSpec spec = dir.spec();
    TextTokenizer tokenizer = new TextTokenizer(dir.tokenizerFile(), spec.maxLength());
    if (spec.kind() != ModelKind.CROSS_ENCODER) {
      return new BiEncoderRequests(tokenizer, spec.queryPrefix(), spec.passagePrefix());
    }
    CrossEncoderRequests encoder = new CrossEncoderRequests(tokenizer, spec.template());
    if (encoder.splices()) {
      LOG.info("model {}: each passage is encoded once and cached; pairs are spliced", spec.name());
    } else {
      LOG.warn(
          "model {}: every pair is encoded whole, no passage cache ({})",
          spec.name(),
          spec.template() != null
              ? "a template's text can merge with the passage into one token"
              : "its tokenizer's pairs cannot be spliced exactly");
    }
    return encoder;
  }

  @Override
  public void close() {
    model.close();
    encoder.close();
  }
}
