package io.rerankflow.inference;

import io.rerankflow.schemas.ErrorKind;
import io.rerankflow.schemas.RerankException;
import io.rerankflow.schemas.Truncate;

/**
 * The NIM's truncation rule, applied to one fully tokenised row whatever its shape (a tokenizer
 * pair, a filled template, a single text).
 *
 * <p>A row that fits is kept. Over the limit, {@link Truncate#NONE} is a 422 naming the full
 * length; {@link Truncate#END} drops passage tokens from the passage's end first, and only when the
 * passage is gone cuts the remaining text (the query, a template's fixed text) from the right.
 * Special tokens added by the tokenizer's post-processor always stay. Dropping tokens of a full
 * encoding gives exactly the ids Hugging Face's own truncation gives ({@code only_second}, or
 * {@code longest_first} on a single text): it too truncates tokens, not text, before adding the
 * special tokens.
 */
final class Truncation {
  /** What a token of a row is, for truncation. */
  enum Role {
    /** Added by the post-processor ({@code [CLS]}, {@code </s>}, {@code <|begin_of_text|>}). */
    SPECIAL,
    /** The query or a template's own text: cut only once the passage is gone. */
    TEXT,
    /** The passage: cut first, from its end. */
    PASSAGE
  }

  private Truncation() {}

  static EncodedSequence apply(
      long[] ids, long[] typeIds, Role[] roles, int maxLength, Truncate truncate)
      throws RerankException {
    int length = ids.length;
    if (length <= maxLength) {
      return new EncodedSequence(ids, typeIds);
    }
    if (truncate == Truncate.NONE) {
      throw tooLong(length, maxLength);
    }
    boolean[] dropped = new boolean[length];
    int excess = length - maxLength;
    excess = drop(roles, Role.PASSAGE, dropped, excess);
    excess = drop(roles, Role.TEXT, dropped, excess);
    if (excess > 0) {
      // Only special tokens are left and they alone exceed the limit.
      throw tooLong(length, maxLength);
    }
    long[] keptIds = new long[maxLength];
    long[] keptTypes = new long[maxLength];
    int kept = 0;
    for (int i = 0; i < length; i++) {
      if (!dropped[i]) {
        keptIds[kept] = ids[i];
        keptTypes[kept] = typeIds[i];
        kept++;
      }
    }
    return new EncodedSequence(keptIds, keptTypes);
  }

  /**
   * The same rule for a row spliced from its parts: how many tokens of each sequence stay, given
   * their lengths in order (a pair's query, then its passage) and the special tokens around them.
   * The last sequence is cut first, from its end, then the one before it: for a pair exactly what
   * {@link #apply} does with the passage's and the query's roles.
   */
  static int[] keep(int[] lengths, int specialCount, int maxLength, Truncate truncate)
      throws RerankException {
    int length = specialCount;
    for (int l : lengths) {
      length += l;
    }
    int[] kept = lengths.clone();
    if (length <= maxLength) {
      return kept;
    }
    if (truncate == Truncate.NONE) {
      throw tooLong(length, maxLength);
    }
    int excess = length - maxLength;
    for (int k = kept.length - 1; k >= 0 && excess > 0; k--) {
      int cut = Math.min(excess, kept[k]);
      kept[k] -= cut;
      excess -= cut;
    }
    if (excess > 0) {
      throw tooLong(length, maxLength);
    }
    return kept;
  }

  private static int drop(Role[] roles, Role role, boolean[] dropped, int excess) {
    for (int i = roles.length - 1; i >= 0 && excess > 0; i--) {
      if (roles[i] == role && !dropped[i]) {
        dropped[i] = true;
        excess--;
      }
    }
    return excess;
  }

  static RerankException tooLong(int length, int maxLength) {
    return new RerankException(
        ErrorKind.INPUT_TOO_LONG,
        "Input length " + length + " exceeds maximum allowed token size " + maxLength);
  }
}
