package io.rerankflow.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Append-only encoder for the protobuf wire format, enough for the ONNX model subset. */
final class ProtoMessage {
  private static final int VARINT = 0;
  private static final int LENGTH_DELIMITED = 2;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  ProtoMessage varint(int field, long value) {
    tag(field, VARINT);
    writeVarint(value);
    return this;
  }

  ProtoMessage bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    writeVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  ProtoMessage string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  ProtoMessage message(int field, ProtoMessage value) {
    return bytes(field, value.toByteArray());
  }

  ProtoMessage messages(int field, List<ProtoMessage> values) {
    values.forEach(v -> message(field, v));
    return this;
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    writeVarint(((long) field << 3) | wireType);
  }

  private void writeVarint(long value) {
    // Negative int64 values take all ten bytes; the unsigned shift guarantees termination.
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
