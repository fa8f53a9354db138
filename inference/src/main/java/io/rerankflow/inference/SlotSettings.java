package io.rerankflow.inference;

/**
 * Everything one task slot's {@link SlotEngine} is built from: what to serve ({@link
 * EngineSettings}) and what the door found out about the slot it runs in.
 *
 * @param engine models, device, threads and batching, as the user set them
 * @param subtask the slot's subtask index (picks its GPU under {@code cuda} with several)
 * @param slotsSharingCores slots of this machine (the TaskManager's slot count), which share its
 *     cores and size ONNX Runtime's threads when {@code intraOpThreads} is automatic
 * @param coresPerSlot the slot's cores ({@code taskmanager.cpu.cores} or the JVM's, divided among
 *     the slots): the encoding stage's threads
 * @param visibleGpus GPUs this process sees
 * @param threadName prefix of the slot's thread names
 */
public record SlotSettings(
    EngineSettings engine,
    int subtask,
    int slotsSharingCores,
    int coresPerSlot,
    int visibleGpus,
    String threadName) {
  public SlotSettings {
    if (subtask < 0 || slotsSharingCores < 1 || coresPerSlot < 1 || visibleGpus < 0) {
      throw new IllegalArgumentException(
          "subtask and visibleGpus must be >= 0, slotsSharingCores and coresPerSlot >= 1");
    }
  }

  /** ONNX Runtime's settings in this slot. */
  public SessionSettings session() {
    return engine.sessionSettings(slotsSharingCores, subtask, visibleGpus);
  }
}
