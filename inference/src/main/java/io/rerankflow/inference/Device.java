package io.rerankflow.inference;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, {@code cuda:N} (pinned to GPU N; fail at start if
 * CUDA cannot load), {@code cuda} (each slot on GPU subtask index mod visible GPUs), or {@code
 * auto} (CUDA device 0 when it loads, otherwise CPU).
 *
 * @param index the GPU, or {@link #SPREAD} for one per slot in turn
 */
public record Device(Type type, int index) implements Serializable {

  /** The execution target. */
  public enum Type {
    CPU,
    CUDA,
    AUTO
  }

  public static final Device CPU = new Device(Type.CPU, 0);

  /** The index of {@code cuda} without a number: slots take the visible GPUs in turn. */
  public static final int SPREAD = -1;

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
      return new Device(Type.CUDA, SPREAD);
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

  /**
   * The device of one slot: {@code cuda} spreads slots over {@code visibleGpus} GPUs (subtask index
   * mod their number); every other device is the same for all slots.
   */
  public Device forSubtask(int subtask, int visibleGpus) {
    if (type != Type.CUDA || index != SPREAD) {
      return this;
    }
    return new Device(Type.CUDA, subtask % Math.max(1, visibleGpus));
  }

  /**
   * GPUs this process may use: the entries of {@code CUDA_VISIBLE_DEVICES} when it is set, else the
   * NVIDIA driver's GPU list, else 1.
   */
  public static int visibleGpus() {
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    if (visible != null && !visible.isBlank()) {
      return visible.split(",").length;
    }
    java.io.File[] gpus = new java.io.File("/proc/driver/nvidia/gpus").listFiles();
    return gpus != null && gpus.length > 0 ? gpus.length : 1;
  }

  @Override
  public String toString() {
    return switch (type) {
      case CPU -> "cpu";
      case AUTO -> "auto";
      case CUDA -> index == SPREAD ? "cuda" : "cuda:" + index;
    };
  }
}
