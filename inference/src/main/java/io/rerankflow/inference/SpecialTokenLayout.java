package io.rerankflow.inference;

import java.util.Arrays;

/**
 * Where a tokenizer's post-processor puts its special tokens around one or two sequences, and which
 * token type ids it gives each part: enough to build the ids of {@code [CLS] q [SEP] p [SEP]} (or
 * {@code <s> q </s></s> p </s>}) from the query's and the passage's own ids.
 *
 * <p>It is learned from the tokenizer's own pair (or single) encoding of probe texts, never written
 * down per family, so the type ids are whatever the post-processor gives.
 */
final class SpecialTokenLayout {
  private static final long ADDED_BY_POST_PROCESSOR = -1;

  private final long[][] specialIds;
  private final long[][] specialTypes;
  private final long[] sequenceTypes;
  private final int specialCount;

  /**
   * @param specialIds the special tokens before the first sequence, between the sequences (pairs
   *     only) and after the last one
   * @param specialTypes their type ids, aligned
   * @param sequenceTypes the type id of each sequence's tokens
   */
  private SpecialTokenLayout(long[][] specialIds, long[][] specialTypes, long[] sequenceTypes) {
    this.specialIds = specialIds;
    this.specialTypes = specialTypes;
    this.sequenceTypes = sequenceTypes;
    int count = 0;
    for (long[] gap : specialIds) {
      count += gap.length;
    }
    this.specialCount = count;
  }

  /**
   * Reads the layout off one full encoding of {@code sequenceCount} (1 or 2) sequences, each of
   * which must be one contiguous run of tokens; null when the encoding has another shape.
   */
  static SpecialTokenLayout read(
      long[] ids, long[] typeIds, long[] sequenceIds, int sequenceCount) {
    long[][] gapIds = new long[sequenceCount + 1][];
    long[][] gapTypes = new long[sequenceCount + 1][];
    long[] sequenceTypes = new long[sequenceCount];
    int i = 0;
    for (int gap = 0; gap <= sequenceCount; gap++) {
      int start = i;
      while (i < ids.length && sequenceIds[i] == ADDED_BY_POST_PROCESSOR) {
        i++;
      }
      gapIds[gap] = Arrays.copyOfRange(ids, start, i);
      gapTypes[gap] = Arrays.copyOfRange(typeIds, start, i);
      if (gap == sequenceCount) {
        break;
      }
      if (i >= ids.length || sequenceIds[i] != gap) {
        return null;
      }
      sequenceTypes[gap] = typeIds[i];
      while (i < ids.length && sequenceIds[i] == gap) {
        if (typeIds[i] != sequenceTypes[gap]) {
          return null;
        }
        i++;
      }
    }
    return i == ids.length ? new SpecialTokenLayout(gapIds, gapTypes, sequenceTypes) : null;
  }

  /** Special tokens the layout adds. */
  int specialCount() {
    return specialCount;
  }

  /** The sequences the layout joins (1 or 2). */
  int sequenceCount() {
    return sequenceTypes.length;
  }

  /**
   * The row of the sequences' first {@code kept[k]} tokens each, with the special tokens around
   * them.
   */
  EncodedSequence build(int[][] sequences, int[] kept) {
    int length = specialCount;
    for (int k : kept) {
      length += k;
    }
    long[] ids = new long[length];
    long[] types = new long[length];
    int at = 0;
    for (int part = 0; part <= sequences.length; part++) {
      long[] gap = specialIds[part];
      System.arraycopy(gap, 0, ids, at, gap.length);
      System.arraycopy(specialTypes[part], 0, types, at, gap.length);
      at += gap.length;
      if (part == sequences.length) {
        break;
      }
      int[] sequence = sequences[part];
      long type = sequenceTypes[part];
      for (int t = 0; t < kept[part]; t++) {
        ids[at] = sequence[t];
        types[at] = type;
        at++;
      }
    }
    return new EncodedSequence(ids, types);
  }
}
