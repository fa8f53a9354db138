package io.rerankflow.inference;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, {@code cuda:N} (fail at start if CUDA cannot load),
 * or {@code auto} (CUDA device 0 when it loads, otherwise CPU).
 */
public record Device(Type type, int index) implements Serializable {

  /** The execution target. */
  public enum Type {
    CPU,
    CUDA,
    AUTO
  }

  public static final Device CPU = new Device(Type.CPU, 0);

  /** Parses {@code cpu}, {@code auto}, {@code cuda} or {@code cuda:N}. */
  public static Device parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("cpu")) {
      return CPU;
    }
    if (v.equals("auto")) {
      return new Device(Type.AUTO, 0);
    }
    if (v.equals("cuda")) {
      return new Device(Type.CUDA, 0);
    }
    if (v.startsWith("cuda:")) {
      try {
        int index = Integer.parseInt(v.substring("cuda:".length()));
        if (index >= 0) {
          return new Device(Type.CUDA, index);
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw new IllegalArgumentException(
        "device '" + value + "' is not one of cpu, auto, cuda, cuda:N (N = GPU index)");
  }

  @Override
  public String toString() {
    return switch (type) {
      case CPU -> "cpu";
      case AUTO -> "auto";
      case CUDA -> "cuda:" + index;
    };
  }
}
