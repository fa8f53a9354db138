package io.rerankflow.inference;

/**
 * One model input row before padding: token ids and, for models that take them, token type ids.
 *
 * @param ids token ids, special tokens included
 * @param typeIds token type ids aligned with {@code ids}
 */
public record EncodedSequence(long[] ids, long[] typeIds) {
  public int length() {
    return ids.length;
  }
}
