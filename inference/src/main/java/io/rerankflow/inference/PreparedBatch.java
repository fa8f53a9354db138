package io.rerankflow.inference;

import java.util.List;

/**
 * Rows padded into model inputs, ready to run. Closing it releases the inputs (and their buffers
 * for reuse); {@link BatchModel#run} closes it, and so must whoever drops it unrun.
 */
public interface PreparedBatch extends AutoCloseable {

  List<EncodedSequence> rows();

  /** Tokens the model computes: rows times the longest row. */
  long paddedTokens();

  /** Tokens of the rows themselves. */
  long realTokens();

  @Override
  void close();
}
