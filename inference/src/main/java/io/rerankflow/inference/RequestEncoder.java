package io.rerankflow.inference;

import io.rerankflow.schemas.RankingRequest;
import io.rerankflow.schemas.RerankException;

/**
 * Turns requests into model rows and model outputs back into per-passage logits: the one place
 * where a model kind's scoring rule lives.
 */
public interface RequestEncoder extends AutoCloseable {

  /**
   * Tokenises a request.
   *
   * @throws RerankException when a pair is over the token limit under {@code truncate: NONE}
   */
  EncodedRequest encode(RankingRequest request) throws RerankException;

  /**
   * Tokenises a request, telling {@code listener} how its passages were found (the passage cache);
   * may run on several threads at once.
   *
   * @throws RerankException when a pair is over the token limit under {@code truncate: NONE}
   */
  default EncodedRequest encode(RankingRequest request, EngineListener listener)
      throws RerankException {
    return encode(request);
  }

  /**
   * Combines the model's outputs for {@link EncodedRequest#sequences()} (same order) into one logit
   * per passage.
   */
  float[] logits(float[][] outputs);

  @Override
  void close();
}
