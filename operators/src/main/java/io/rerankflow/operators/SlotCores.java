package io.rerankflow.operators;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

/**
 * How many slots share this TaskManager's cores, and so how many cores one slot has: the
 * TaskManager's own slot count, not the job's parallelism (which spans every TaskManager). A
 * context that is not a streaming task's (null included) counts as one slot with the JVM's cores.
 */
public final class SlotCores {
  private SlotCores() {}

  /** Slots of this TaskManager ({@code taskmanager.numberOfTaskSlots}), at least 1. */
  public static int slotsSharingCores(RuntimeContext context) {
    Configuration config = taskManagerConfig(context);
    return config == null ? 1 : Math.max(1, config.get(TaskManagerOptions.NUM_TASK_SLOTS));
  }

  /**
   * The cores of one slot: {@code taskmanager.cpu.cores} if set, else the cores the JVM sees,
   * divided among the TaskManager's slots; at least 1.
   */
  public static int coresPerSlot(RuntimeContext context) {
    Configuration config = taskManagerConfig(context);
    double cores = Runtime.getRuntime().availableProcessors();
    if (config != null && config.contains(TaskManagerOptions.CPU_CORES)) {
      cores = config.get(TaskManagerOptions.CPU_CORES);
    }
    return Math.max(1, (int) (cores / slotsSharingCores(context)));
  }

  private static Configuration taskManagerConfig(RuntimeContext context) {
    return context instanceof StreamingRuntimeContext streaming
        ? streaming.getTaskManagerRuntimeInfo().getConfiguration()
        : null;
  }
}
