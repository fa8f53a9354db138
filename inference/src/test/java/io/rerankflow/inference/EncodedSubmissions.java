package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.RerankOutput;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands requests to an {@link InferenceEngine} alone, encoded on the test's thread with the
 * engine's own model encoder as the {@link EncodingStage} encodes them on its threads: for tests of
 * the engine (batching, deadlines, withdrawal, bounds, failure) without the stage in front.
 */
final class EncodedSubmissions {
  private EncodedSubmissions() {}

  /** {@link #submit(InferenceEngine, RankingRequest, Deadline, Consumer)} with no deadline. */
  static Submission submit(
      InferenceEngine engine, RankingRequest request, Consumer<RerankOutput> done) {
    return submit(engine, request, Deadline.NONE, done);
  }

  /**
   * Encodes {@code request} and submits it. A request of a model the engine lacks goes with no
   * rows, so that the engine's own refusal answers it.
   *
   * @throws IllegalArgumentException when the encoder refuses the request (the stage's concern,
   *     tested there)
   */
  static Submission submit(
      InferenceEngine engine,
      RankingRequest request,
      Deadline deadline,
      Consumer<RerankOutput> done) {
    return engine.submit(encode(engine, request), deadline, done);
  }

  /**
   * {@code request} encoded by its model in {@code engine}, or with no rows when the engine lacks
   * its model; only while the engine is open (closing it closes the tokenizers).
   *
   * @throws IllegalArgumentException when the encoder refuses the request (the stage's concern,
   *     tested there)
   */
  static EncodedRequest encode(InferenceEngine engine, RankingRequest request) {
    LoadedModel model = engine.model(request.model());
    if (model == null) {
      return new EncodedRequest(request, List.of(), 0);
    }
    try {
      return model.encoder().encode(request);
    } catch (RerankException e) {
      throw new IllegalArgumentException("the test's request does not encode: " + e, e);
    }
  }
}
