package io.rerankflow.inference;

import java.util.List;

/**
 * Runs a model over one batch of rows. A cross-encoder returns one logit per row ({@code [B][1]});
 * a bi-encoder one L2-normalised embedding per row ({@code [B][H]}).
 *
 * <p>A batch is prepared (padded into model inputs) and then run, so that one thread can prepare
 * the next batch while another runs the current one. {@link #forward} is the two in a row: there is
 * one path for a single batch and for a stream of them.
 */
public interface BatchModel extends AutoCloseable {

  /** Pads {@code rows} into model inputs; safe to call while another thread is in {@link #run}. */
  PreparedBatch prepare(List<EncodedSequence> rows) throws Exception;

  /** Runs a prepared batch and closes it; outputs are in the order of the prepared rows. */
  float[][] run(PreparedBatch batch) throws Exception;

  default float[][] forward(List<EncodedSequence> rows) throws Exception {
    return run(prepare(rows));
  }

  @Override
  void close();
}
