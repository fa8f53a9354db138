package io.rerankflow.inference;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Everything a task slot needs to build its {@link InferenceEngine}: which models, where they run
 * and how rows are batched.
 *
 * @param modelLocations {@code --model} values ({@code default}, a directory, or {@code name=}
 *     either to serve it under that name, see {@link ModelLocator}); a value given twice is loaded
 *     once
 * @param device where ONNX Runtime runs
 * @param intraOpThreads ONNX Runtime threads per slot; 0 picks cores / slots
 * @param batching batch packing limits
 */
public record EngineSettings(
    List<String> modelLocations, Device device, int intraOpThreads, BatchingSettings batching)
    implements Serializable {
  public EngineSettings {
    modelLocations = List.copyOf(new LinkedHashSet<>(modelLocations));
    if (modelLocations.isEmpty()) {
      throw new IllegalArgumentException("at least one --model is needed");
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("--intra-op-threads must be >= 0 (0 = automatic)");
    }
  }

  /**
   * Session settings for slot {@code subtask}, given how many slots share this machine's cores and
   * how many GPUs it sees.
   */
  public SessionSettings sessionSettings(int slotsSharingCores, int subtask, int visibleGpus) {
    int threads =
        intraOpThreads > 0 ? intraOpThreads : SessionSettings.threadsPerSlot(slotsSharingCores);
    return new SessionSettings(device.forSubtask(subtask, visibleGpus), threads);
  }
}
