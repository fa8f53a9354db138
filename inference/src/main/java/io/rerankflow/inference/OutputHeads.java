package io.rerankflow.inference;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/** Reads a model's output tensor into logits or normalised embeddings. */
final class OutputHeads {
  private OutputHeads() {}

  /**
   * {@code [B]} or {@code [B,1]}: the value; {@code [B,2]}: the positive class minus the other.
   *
   * @param positiveClass which class of a two-class head is "relevant" (0 or 1)
   */
  static float[][] logits(FloatBuffer values, long[] shape, int rows, int positiveClass) {
    int classes = shape.length == 1 ? 1 : (int) shape[1];
    if (shape[0] != rows || (classes != 1 && classes != 2) || shape.length > 2) {
      throw new IllegalStateException(
          "model output has shape "
              + Arrays.toString(shape)
              + ", expected ["
              + rows
              + "], ["
              + rows
              + ",1] or ["
              + rows
              + ",2]");
    }
    float[][] logits = new float[rows][1];
    for (int r = 0; r < rows; r++) {
      logits[r][0] =
          classes == 1
              ? values.get(r)
              : values.get(r * 2 + positiveClass) - values.get(r * 2 + 1 - positiveClass);
    }
    return logits;
  }

  /** Pools {@code [B,L,H]} token vectors (or takes {@code [B,H]}) and L2-normalises each row. */
  static float[][] embeddings(
      FloatBuffer values,
      long[] shape,
      List<EncodedSequence> batch,
      int[] offsets,
      Pooling pooling) {
    int rows = batch.size();
    float[][] out;
    if (shape.length == 2) {
      int hidden = (int) shape[1];
      out = new float[rows][hidden];
      for (int r = 0; r < rows; r++) {
        values.position(r * hidden);
        values.get(out[r]);
      }
    } else {
      int width = (int) shape[1];
      int hidden = (int) shape[2];
      out = new float[rows][hidden];
      for (int r = 0; r < rows; r++) {
        int first = offsets[r];
        int length = batch.get(r).length();
        if (pooling == Pooling.CLS) {
          values.position((r * width + first) * hidden);
          values.get(out[r]);
        } else {
          for (int t = first; t < first + length; t++) {
            int base = (r * width + t) * hidden;
            for (int h = 0; h < hidden; h++) {
              out[r][h] += values.get(base + h);
            }
          }
          for (int h = 0; h < hidden; h++) {
            out[r][h] /= length;
          }
        }
      }
    }
    for (float[] row : out) {
      normalise(row);
    }
    return out;
  }

  private static void normalise(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    float norm = (float) Math.sqrt(sum);
    if (norm > 0f) {
      for (int i = 0; i < v.length; i++) {
        v[i] /= norm;
      }
    }
  }
}
