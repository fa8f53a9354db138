package io.rerankflow.inference;

import java.util.List;

/**
 * A test model written as one {@link #forward} call: preparing keeps the rows, running forwards
 * them. Its output is whatever the test's forward computes from those rows.
 */
abstract class ForwardOnlyModel implements BatchModel {

  @Override
  public abstract float[][] forward(List<EncodedSequence> rows) throws Exception;

  @Override
  public PreparedBatch prepare(List<EncodedSequence> rows) {
    long longest = rows.stream().mapToInt(EncodedSequence::length).max().orElse(0);
    long real = rows.stream().mapToLong(EncodedSequence::length).sum();
    return new PreparedBatch() {
      @Override
      public List<EncodedSequence> rows() {
        return rows;
      }

      @Override
      public long paddedTokens() {
        return longest * rows.size();
      }

      @Override
      public long realTokens() {
        return real;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public float[][] run(PreparedBatch batch) throws Exception {
    try (batch) {
      return forward(batch.rows());
    }
  }
}
