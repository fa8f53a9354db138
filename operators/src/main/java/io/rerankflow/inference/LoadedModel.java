package io.rerankflow.inference;

/** A served model in one slot: its spec, its request encoder and its runtime. */
public record LoadedModel(ModelSpec spec, RequestEncoder encoder, BatchModel model)
    implements AutoCloseable {

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
    return spec.kind() == ModelKind.CROSS_ENCODER
        ? new CrossEncoderRequests(tokenizer, spec.template())
        : new BiEncoderRequests(tokenizer, spec.queryPrefix(), spec.passagePrefix());
  }

  @Override
  public void close() {
    model.close();
    encoder.close();
  }
}
