package io.rerankflow.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Direct buffers for one batch's {@code input_ids}, {@code attention_mask} and {@code
 * token_type_ids}, reused from batch to batch: ONNX Runtime reads a direct buffer in place, so a
 * batch costs no allocation and no copy once the buffers have grown to the largest batch seen.
 */
final class InputBuffers {
  private LongBuffer ids = allocate(0);
  private LongBuffer mask = allocate(0);
  private LongBuffer types = allocate(0);

  /** Views of {@code elements} values each, zeroed; valid until the next call. */
  void reset(int elements, long padTokenId) {
    if (ids.capacity() < elements) {
      int capacity = Integer.highestOneBit(Math.max(1, elements - 1)) << 1;
      ids = allocate(capacity);
      mask = allocate(capacity);
      types = allocate(capacity);
    }
    for (LongBuffer buffer : new LongBuffer[] {ids, mask, types}) {
      buffer.clear().limit(elements);
    }
    for (int i = 0; i < elements; i++) {
      ids.put(i, padTokenId);
      mask.put(i, 0L);
      types.put(i, 0L);
    }
  }

  LongBuffer ids() {
    return ids;
  }

  LongBuffer mask() {
    return mask;
  }

  LongBuffer types() {
    return types;
  }

  private static LongBuffer allocate(int elements) {
    return ByteBuffer.allocateDirect(elements * Long.BYTES)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }

  /** A free list: a batch takes a set while it is prepared and gives it back when closed. */
  static final class Pool {
    private final ConcurrentLinkedQueue<InputBuffers> free = new ConcurrentLinkedQueue<>();

    InputBuffers take() {
      InputBuffers buffers = free.poll();
      return buffers != null ? buffers : new InputBuffers();
    }

    void give(InputBuffers buffers) {
      free.add(buffers);
    }
  }
}
