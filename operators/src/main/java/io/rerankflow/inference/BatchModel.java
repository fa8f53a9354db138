package io.rerankflow.inference;

import java.util.List;

/**
 * Runs a model over one batch of rows. A cross-encoder returns one logit per row ({@code [B][1]});
 * a bi-encoder one L2-normalised embedding per row ({@code [B][H]}).
 */
public interface BatchModel extends AutoCloseable {

  float[][] forward(List<EncodedSequence> batch) throws Exception;

  @Override
  void close();
}
