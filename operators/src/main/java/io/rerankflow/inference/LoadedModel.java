package io.rerankflow.inference;

/** A served model in one slot: its spec, its request encoder and its runtime. */
public record LoadedModel(ModelSpec spec, RequestEncoder encoder, BatchModel model)
    implements AutoCloseable {

  /** Loads tokenizer and ONNX session for a model directory. */
  public static LoadedModel load(ModelDirectory dir, SessionSettings settings) {
    ModelSpec spec = dir.spec();
    TextTokenizer tokenizer = new TextTokenizer(dir.tokenizerFile(), spec.maxLength());
    RequestEncoder encoder =
        spec.kind() == ModelKind.CROSS_ENCODER
            ? new CrossEncoderRequests(tokenizer, spec.template())
            : new BiEncoderRequests(tokenizer, spec.queryPrefix(), spec.passagePrefix());
    try {
      return new LoadedModel(spec, encoder, OnnxBatchModel.load(dir, settings));
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  @Override
  public void close() {
    model.close();
    encoder.close();
  }
}
